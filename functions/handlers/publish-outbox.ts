import { errorFields, log } from "../log.ts";
import { withStream } from "../middleware.ts";
import { outboxPublisher } from "../usecases.ts";

/**
 * DynamoDB stream subscriber: an item written with domain events (the outbox,
 * lib/store/outbox.ts) has them published to the bus, then its outbox cleared. The first
 * record that fails is reported, so Lambda redelivers from it on; publishing twice is
 * harmless (consumers drop duplicates by event id).
 */
export const handler = withStream("publish-outbox", async (records, c) => {
  const failed: string[] = [];
  for (const record of records) {
    const image = record.dynamodb.NewImage;
    if (!image) continue;
    try {
      await outboxPublisher(c).publishImage(image, record.dynamodb.OldImage);
    } catch (error) {
      log("error", "outbox events could not be published", errorFields(error));
      failed.push(record.dynamodb.SequenceNumber);
    }
  }
  return failed;
});
