import { EXPIRY_ENTITY } from "../lib/store/keys.ts";
import { TTL_PRINCIPAL } from "../lib/store/table.ts";
import { streamSubscriber } from "./streams.ts";

/** Only expiry markers removed by DynamoDB TTL reach the function. */
export const EXPIRY_FILTER = {
  eventName: ["REMOVE"],
  userIdentity: { type: [TTL_PRINCIPAL.type], principalId: [TTL_PRINCIPAL.principalId] },
  dynamodb: { OldImage: { entity: { S: [EXPIRY_ENTITY] } } },
};

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
