import { randomUUID } from "node:crypto";
import { marshall } from "@aws-sdk/util-dynamodb";
import { EXPIRY_ENTITY, type ExpiryRepository } from "../lib/store/expiry.ts";
import { Keys } from "../lib/store/keys.ts";
import { TTL_PRINCIPAL } from "../lib/usecases/ttl-stream.ts";

let sequence = 0;

/**
 * DynamoDB TTL and streams, emulated: neither dynalite nor DynamoDB Local deletes expired
 * items. Each pass deletes the markers that are due (as TTL would, some time after) and
 * hands REMOVE-shaped stream records, carrying the TTL service identity and the old
 * image, to the same handler the stream invokes on AWS.
 *
 * @returns how many markers it expired.
 */
export async function expireDueMarkers(
  expiry: ExpiryRepository,
  deliver: (event: { Records: unknown[] }) => Promise<unknown>,
  now: Date = new Date(),
  table = "backup-warden",
): Promise<number> {
  const records: unknown[] = [];
  for (const marker of await expiry.due(now)) {
    if (!(await expiry.remove(marker.backupId, marker.dueAt))) continue;
    const keys = Keys.expiry(marker.backupId);
    const image = {
      ...keys,
      ...Keys.expiryDue(marker.dueAt, marker.backupId),
      entity: EXPIRY_ENTITY,
      ...marker,
      ttl: Math.ceil(Date.parse(marker.dueAt) / 1000),
    };
    sequence++;
    records.push({
      eventID: randomUUID().replaceAll("-", ""),
      eventName: "REMOVE",
      eventVersion: "1.1",
      eventSource: "aws:dynamodb",
      awsRegion: "local",
      eventSourceARN: `arn:aws:dynamodb:local:000000000000:table/${table}/stream/local`,
      userIdentity: { ...TTL_PRINCIPAL },
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(now.getTime() / 1000),
        Keys: marshall(keys),
        OldImage: marshall(image),
        SequenceNumber: String(sequence).padStart(21, "0"),
        SizeBytes: JSON.stringify(image).length,
        StreamViewType: "NEW_AND_OLD_IMAGES",
      },
    });
  }
  if (records.length > 0) await deliver({ Records: records });
  return records.length;
}
