import { Keys } from "./keys.ts";
import { conditionHeld } from "./page.ts";
import { TableRepository } from "./repository.ts";

/** How long a consumer remembers an event it handled (EventBridge retries for 24 h). */
const DELIVERY_TTL_SECONDS = 7 * 24 * 60 * 60;
/**
 * A claim older than this whose consumer never finished is taken over: the consumer died
 * (the notifier's function times out after 30 s, so a live one is done by then).
 */
export const STALE_CLAIM_MS = 45 * 1000;

/**
 * Which events a consumer has handled, by event id: the outbox and EventBridge deliver at
 * least once, and across Lambda containers and restarts only the table can tell a
 * redelivery from a first delivery. A consumer claims an event before acting (one
 * conditional put), then records how it went; a failed attempt, or a claim left by a
 * crashed consumer, may be claimed again.
 */
export class DeliveryRepository extends TableRepository {
  /**
   * Claims `eventId` for `consumer`: `claimed` (ours now), `done` (handled before), or
   * `busy` (claimed by a delivery that has not finished, and not long enough ago to be
   * taken over).
   */
  async claim(
    consumer: string,
    eventId: string,
    token: string,
  ): Promise<"claimed" | "done" | "busy"> {
    const now = this.clock.now();
    const won = await conditionHeld(() =>
      this.db.put({
        TableName: this.table,
        Item: this.#item(consumer, eventId, token, "CLAIMED", now),
        ConditionExpression:
          "attribute_not_exists(pk) OR #s = :failed OR (#s = :claimed AND #at < :stale)",
        ExpressionAttributeNames: { "#s": "status", "#at": "at" },
        ExpressionAttributeValues: {
          ":failed": "FAILED",
          ":claimed": "CLAIMED",
          ":stale": new Date(now.getTime() - STALE_CLAIM_MS).toISOString(),
        },
      }),
    );
    if (won) return "claimed";
    const seen = await this.db.get({
      TableName: this.table,
      Key: Keys.delivery(consumer, eventId),
      ConsistentRead: true,
    });
    return seen.Item?.status === "DONE" ? "done" : "busy";
  }

  /** Records how our claimed attempt went: DONE, or FAILED (a redelivery may try again). */
  async finish(
    consumer: string,
    eventId: string,
    token: string,
    status: "DONE" | "FAILED",
  ): Promise<void> {
    await conditionHeld(() =>
      this.db.put({
        TableName: this.table,
        Item: this.#item(consumer, eventId, token, status, this.clock.now()),
        ConditionExpression: "#token = :token",
        ExpressionAttributeNames: { "#token": "token" },
        ExpressionAttributeValues: { ":token": token },
      }),
    );
  }

  #item(consumer: string, eventId: string, token: string, status: string, now: Date) {
    return {
      ...Keys.delivery(consumer, eventId),
      entity: "delivery",
      status,
      token,
      at: now.toISOString(),
      ttl: Math.ceil(now.getTime() / 1000) + DELIVERY_TTL_SECONDS,
    };
  }
}
