import { expiredMarkerOf } from "../../lib/usecases/ttl-stream.ts";
import { errorFields, log, withLogKeys } from "../log.ts";
import { withStream } from "../middleware.ts";
import { retention } from "../usecases.ts";

/**
 * DynamoDB stream subscriber: an expiry marker removed by TTL starts its backup's
 * expiry. Redelivered records are harmless (every step is idempotent); a record that
 * fails is reported alone, so only it is retried.
 */
export const handler = withStream("expiry-stream", async (records, c) => {
  const failed: string[] = [];
  for (const record of records) {
    const backupId = expiredMarkerOf(record);
    if (!backupId) continue;
    await withLogKeys({ backupId }, async () => {
      try {
        await retention(c).onMarkerDue(backupId);
      } catch (error) {
        log("error", "expiry marker could not be handled", errorFields(error));
        failed.push(record.dynamodb.SequenceNumber);
      }
    });
  }
  return failed;
});
