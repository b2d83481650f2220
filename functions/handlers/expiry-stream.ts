import { expiredMarkerOf } from "../../lib/usecases/ttl-stream.ts";
import { errorFields, log } from "../log.ts";
import { withStream } from "../middleware.ts";

/**
 * DynamoDB stream subscriber: an expiry marker removed by TTL starts its backup's
 * expiry. Redelivered records are harmless (every step is idempotent); a record that
 * fails is reported alone, so only it is retried.
 */
export const handler = withStream("expiry", async (records, c) => {
  const failed: string[] = [];
  for (const record of records) {
    const backupId = expiredMarkerOf(record);
    if (!backupId) continue;
    try {
      await c.retention.onMarkerDue(backupId);
    } catch (error) {
      log("error", "expiry marker could not be handled", { backupId, ...errorFields(error) });
      failed.push(
        "SequenceNumber" in record.dynamodb ? record.dynamodb.SequenceNumber : record.eventID,
      );
    }
  }
  return failed;
});
