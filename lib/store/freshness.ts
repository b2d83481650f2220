import * as z from "zod";
import type { DomainEvent } from "../notify/events.ts";
import { Keys } from "./keys.ts";
import { outboxAppend } from "./outbox.ts";
import { conditionHeld, entityOf } from "./page.ts";
import { TableRepository } from "./repository.ts";

/**
 * What was last announced of a target's freshness: `breached` since when, or `fresh`.
 * Absent: nothing was ever announced (a target starts fresh).
 */
export const FreshnessState = z.object({
  targetId: z.string(),
  state: z.enum(["fresh", "breached"]),
  /** When it entered this state. */
  since: z.iso.datetime(),
  /** The breach a `fresh` state ended, when it ended one. */
  breachedSince: z.iso.datetime().optional(),
});
export type FreshnessState = z.infer<typeof FreshnessState>;

/**
 * Announced freshness states, one item per target. A change of state is one conditional
 * write from the state the caller saw, with its event in the same write (the outbox), so
 * two sweeps that find the same breach announce it once, and a crash after the write
 * still announces it.
 */
export class FreshnessRepository extends TableRepository {
  /** Every announced state, by target id (one Query over their partition). */
  async states(): Promise<Map<string, FreshnessState>> {
    const found = new Map<string, FreshnessState>();
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.query({
        TableName: this.table,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": Keys.freshness("").pk },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      });
      for (const item of page.Items ?? []) {
        const state = FreshnessState.parse(entityOf(item));
        found.set(state.targetId, state);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return found;
  }

  /**
   * Moves a target to `next` from the state the caller read (`seen`; undefined: none was
   * written), with `event` in the outbox (none: a silent change, such as the first look
   * at a fresh target). False when someone moved it first.
   */
  async change(
    seen: FreshnessState | undefined,
    next: FreshnessState,
    event?: DomainEvent,
  ): Promise<boolean> {
    const key = Keys.freshness(next.targetId);
    // The outbox's sort names the target, so two targets changing at once stay apart.
    const outbox = event
      ? outboxAppend([event], next.since, { pk: `${key.pk}#${key.sk}` })
      : { sets: [], names: {}, values: {} };
    const sets = ["entity = :entity", "targetId = :t", "#state = :state", "since = :since"];
    const values: Record<string, unknown> = {
      ":entity": "freshness",
      ":t": next.targetId,
      ":state": next.state,
      ":since": next.since,
      ...outbox.values,
    };
    if (next.breachedSince) {
      sets.push("breachedSince = :bs");
      values[":bs"] = next.breachedSince;
    }
    const remove = next.breachedSince ? "" : " REMOVE breachedSince";
    return conditionHeld(() =>
      this.db.update({
        TableName: this.table,
        Key: key,
        UpdateExpression: `SET ${[...sets, ...outbox.sets].join(", ")}${remove}`,
        ConditionExpression: seen
          ? "#state = :seenState AND since = :seenSince"
          : "attribute_not_exists(pk)",
        ExpressionAttributeNames: { "#state": "state", ...outbox.names },
        ExpressionAttributeValues: {
          ...values,
          ...(seen ? { ":seenState": seen.state, ":seenSince": seen.since } : {}),
        },
      }),
    );
  }

  /** Forgets a target's state (the target is gone: nothing is left to breach). */
  async forget(targetId: string): Promise<void> {
    await this.db.delete({ TableName: this.table, Key: Keys.freshness(targetId) });
  }
}
