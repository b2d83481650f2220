import { EXPIRY_ENTITY, type ExpiryRepository } from "../lib/store/expiry.ts";
import { Keys } from "../lib/store/keys.ts";
import { TTL_PRINCIPAL } from "../lib/usecases/ttl-stream.ts";
import { streamRecord } from "./stream.ts";

/**
 * DynamoDB TTL, emulated: neither dynalite nor DynamoDB Local deletes expired items.
 * Each pass deletes the markers that are due (as TTL would, some time after) and hands
 * REMOVE-shaped stream records (local/stream.ts), carrying the TTL service identity and
 * the old image, to the same handler the stream invokes on AWS.
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
    records.push(
      streamRecord({
        eventName: "REMOVE",
        keys,
        oldImage: image,
        userIdentity: { ...TTL_PRINCIPAL },
        now,
        table,
      }),
    );
  }
  if (records.length > 0) await deliver({ Records: records });
  return records.length;
}
