import { randomUUID } from "node:crypto";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { OutboxRepository } from "../lib/store/outbox.ts";

let sequence = 0;

/**
 * One DynamoDB Streams record as Lambda's event source mapping delivers it (images in
 * DynamoDB JSON): neither dynalite nor DynamoDB Local has streams, so the local runtime
 * builds the records a stream would carry and hands them to the same handlers.
 */
export function streamRecord(change: {
  eventName: "INSERT" | "MODIFY" | "REMOVE";
  keys: Record<string, unknown>;
  oldImage?: Record<string, unknown>;
  newImage?: Record<string, unknown>;
  userIdentity?: { type: string; principalId: string };
  now: Date;
  table: string;
}) {
  sequence++;
  const image = change.newImage ?? change.oldImage ?? change.keys;
  return {
    eventID: randomUUID().replaceAll("-", ""),
    eventName: change.eventName,
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: "local",
    eventSourceARN: `arn:aws:dynamodb:local:000000000000:table/${change.table}/stream/local`,
    ...(change.userIdentity ? { userIdentity: { ...change.userIdentity } } : {}),
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(change.now.getTime() / 1000),
      Keys: marshall(change.keys),
      ...(change.oldImage ? { OldImage: marshall(change.oldImage, MARSHALL) } : {}),
      ...(change.newImage ? { NewImage: marshall(change.newImage, MARSHALL) } : {}),
      SequenceNumber: String(sequence).padStart(21, "0"),
      SizeBytes: JSON.stringify(image).length,
      StreamViewType: "NEW_AND_OLD_IMAGES",
    },
  };
}

const MARSHALL = { removeUndefinedValues: true } as const;

/**
 * The outbox's stream, emulated: the items with pending events (the outbox index), each as
 * the MODIFY record whose new image the stream subscription of stacks/events.ts passes to
 * `publish-outbox`. Repeats until the outbox is empty, so events written while a pass ran
 * go out too; a pass whose records failed ends it (the next write or tick tries again).
 *
 * @returns how many items it delivered.
 */
export async function deliverOutbox(
  outbox: OutboxRepository,
  deliver: (event: { Records: unknown[] }) => Promise<unknown>,
  table = "backup-warden",
): Promise<number> {
  let delivered = 0;
  for (let pass = 0; pass < 10; pass++) {
    const images = await outbox.pendingImages(100);
    if (images.length === 0) break;
    const now = new Date();
    const answer = await deliver({
      Records: images.map((image) =>
        streamRecord({
          eventName: "MODIFY",
          keys: { pk: image.pk, sk: image.sk },
          newImage: image,
          now,
          table,
        }),
      ),
    });
    delivered += images.length;
    // Records the handler could not publish wait for the next pass (the stream's backoff).
    const failures = (answer as { batchItemFailures?: unknown[] } | undefined)?.batchItemFailures;
    if (failures?.length) break;
  }
  return delivered;
}
