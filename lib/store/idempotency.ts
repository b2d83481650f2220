import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DeleteCommand, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import type { Clock } from "../core/clock.ts";
import { Keys } from "./keys.ts";
import { isConditionFailure } from "./page.ts";

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
export class IdempotencyRepository {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #clock: Clock;

  constructor(options: { db: DynamoDBDocumentClient; table: string; clock: Clock }) {
    this.#db = options.db;
    this.#table = options.table;
    this.#clock = options.clock;
  }

  /**
   * Reserves `key` for `resultId`. Returns undefined when the reservation is ours,
   * or the earlier entry when the key was used before.
   */
  async reserve(
    scope: string,
    key: string,
    requestHash: string,
    resultId: string,
  ): Promise<IdempotencyEntry | undefined> {
    const now = this.#clock.now();
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            ...Keys.idempotency(scope, key),
            entity: "idempotency",
            requestHash,
            resultId,
            createdAt: now.toISOString(),
            ttl: Math.ceil(now.getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS,
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return undefined;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const existing = await this.#db.send(
      new GetCommand({
        TableName: this.#table,
        Key: Keys.idempotency(scope, key),
        ConsistentRead: true,
      }),
    );
    return IdempotencyEntry.parse(existing.Item);
  }

  /** Drops our reservation (the request failed before creating anything). */
  async release(scope: string, key: string, resultId: string): Promise<void> {
    try {
      await this.#db.send(
        new DeleteCommand({
          TableName: this.#table,
          Key: Keys.idempotency(scope, key),
          ConditionExpression: "resultId = :id",
          ExpressionAttributeValues: { ":id": resultId },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
