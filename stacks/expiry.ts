import { EXPIRY_STREAM_FILTER } from "../lib/store/expiry.ts";
import { streamSubscriber } from "./streams.ts";

/** Only expiry markers removed by DynamoDB TTL reach the function. */
export const EXPIRY_FILTER = EXPIRY_STREAM_FILTER;

/**
 * An expired marker starts its backup's expiry (delete-backup) and announces it. Records
 * still failing after the retries land in ExpiryFailures (the sweeper also covers them).
 */
export const { fn: expiryFunction, failures: expiryFailures } = streamSubscriber(
  "ExpiryStream",
  "expiry-stream",
  {
    description: "backup-warden: TTL-expired markers start backup expiry",
    filter: EXPIRY_FILTER,
    subscription: "Expiry",
    failures: "ExpiryFailures",
  },
);
