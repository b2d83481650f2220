import * as z from "zod";
import { EXPIRY_ENTITY, Keys } from "./keys.ts";
import { conditionHeld, dueItems } from "./page.ts";
import { TableRepository } from "./repository.ts";
import { TTL_PRINCIPAL } from "./table.ts";

/** An expiry marker: "look at this backup again at dueAt". Its TTL makes DynamoDB fire it. */
export const ExpiryMarker = z.object({
  backupId: z.string(),
  dueAt: z.iso.datetime(),
  /** Why it is due: "expiresAt" (explicit) or "keepDays N" (policy age rule). */
  reason: z.string(),
});
export type ExpiryMarker = z.infer<typeof ExpiryMarker>;

export { EXPIRY_ENTITY };

/**
 * The stream subscription's filter (stacks/expiry.ts): only expiry markers removed by
 * DynamoDB TTL reach the function — not other items TTL removes (the rate budget's).
 */
export const EXPIRY_STREAM_FILTER = {
  eventName: ["REMOVE"],
  userIdentity: { type: [TTL_PRINCIPAL.type], principalId: [TTL_PRINCIPAL.principalId] },
  dynamodb: { OldImage: { entity: { S: [EXPIRY_ENTITY] } } },
};

/**
 * Expiry markers. Each is one item with a TTL attribute (DynamoDB deletes it some time
 * after it is due and the stream tells us), and a sparse due index so the sweeper can
 * find due markers without waiting for TTL, which may lag by days.
 */
export class ExpiryRepository extends TableRepository {
  /** Writes (or moves) the marker of a backup. */
  async put(marker: ExpiryMarker): Promise<void> {
    const valid = ExpiryMarker.parse(marker);
    await this.db.put({
      TableName: this.table,
      Item: {
        ...Keys.expiry(valid.backupId),
        ...Keys.expiryDue(valid.dueAt, valid.backupId),
        entity: EXPIRY_ENTITY,
        ...valid,
        ttl: Math.ceil(Date.parse(valid.dueAt) / 1000),
      },
    });
  }

  /** Markers due at or before `now`, earliest first. */
  async due(now: Date, limit = 100): Promise<ExpiryMarker[]> {
    const items = await dueItems(this.db, this.table, "EXPIRY_DUE", now, limit);
    return items.map((item) => ExpiryMarker.parse(item));
  }

  /**
   * Removes a marker (only if it is still due at `dueAt`, when given: a re-armed marker
   * stays). True when this call removed it; false when it was already gone or moved.
   */
  async remove(backupId: string, dueAt?: string): Promise<boolean> {
    return conditionHeld(() =>
      this.db.delete({
        TableName: this.table,
        Key: Keys.expiry(backupId),
        ConditionExpression: dueAt ? "dueAt = :due" : "attribute_exists(pk)",
        ...(dueAt ? { ExpressionAttributeValues: { ":due": dueAt } } : {}),
      }),
    );
  }
}
