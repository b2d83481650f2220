import * as z from "zod";
import { Keys } from "./keys.ts";
import { conditionHeld, isConditionFailure } from "./page.ts";
import { TableRepository } from "./repository.ts";

const IdempotencyEntry = z.object({
  requestHash: z.string(),
  resultId: z.string(),
  createdAt: z.iso.datetime(),
});
/** What a key was first used for. */
export type IdempotencyEntry = z.infer<typeof IdempotencyEntry>;

/** How long a key is remembered. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

/**
 * Idempotency keys: the first request with a key reserves it (conditional put) and
 * names its result; a repeat finds the reservation and returns the same result.
 */
export class IdempotencyRepository extends TableRepository {
  /**
   * Reserves `key` for `resultId`. Returns undefined when the reservation is ours,
   * or the earlier entry when the key was used before.
   */
  async reserve(
    scope: string,
    key: string,
    requestHash: string,
    resultId: string,
    attempt = 1,
  ): Promise<IdempotencyEntry | undefined> {
    try {
      await this.#put(scope, key, requestHash, resultId, {
        ConditionExpression: "attribute_not_exists(pk)",
      });
      return undefined;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const existing = await this.db.get({
      TableName: this.table,
      Key: Keys.idempotency(scope, key),
      ConsistentRead: true,
    });
    // Released between our put and our read: the key is free again, so try once more.
    if (!existing.Item)
      return attempt < 2 ? this.reserve(scope, key, requestHash, resultId, attempt + 1) : undefined;
    return IdempotencyEntry.parse(existing.Item);
  }

  /**
   * Takes over a reservation whose request evidently died (it never created its result):
   * only if the key still names `staleResultId`, so two takers cannot both win.
   */
  async takeOver(
    scope: string,
    key: string,
    staleResultId: string,
    requestHash: string,
    resultId: string,
  ): Promise<boolean> {
    return conditionHeld(() =>
      this.#put(scope, key, requestHash, resultId, {
        ConditionExpression: "resultId = :stale",
        ExpressionAttributeValues: { ":stale": staleResultId },
      }),
    );
  }

  /** Writes the reservation item under `condition`. */
  async #put(
    scope: string,
    key: string,
    requestHash: string,
    resultId: string,
    condition: { ConditionExpression: string; ExpressionAttributeValues?: Record<string, unknown> },
  ): Promise<void> {
    const now = this.clock.now();
    await this.db.put({
      TableName: this.table,
      Item: {
        ...Keys.idempotency(scope, key),
        entity: "idempotency",
        requestHash,
        resultId,
        createdAt: now.toISOString(),
        ttl: Math.ceil(now.getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS,
      },
      ...condition,
    });
  }

  /** Drops our reservation (the request failed before creating anything). */
  async release(scope: string, key: string, resultId: string): Promise<void> {
    try {
      await this.db.delete({
        TableName: this.table,
        Key: Keys.idempotency(scope, key),
        ConditionExpression: "resultId = :id",
        ExpressionAttributeValues: { ":id": resultId },
      });
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
