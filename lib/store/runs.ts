import * as z from "zod";
import type { DomainEvent } from "../notify/events.ts";
import { Keys } from "./keys.ts";
import { outboxAppend } from "./outbox.ts";
import { conditionHeld, entityOf, isConditionFailure } from "./page.ts";
import { TableRepository } from "./repository.ts";

/** What became of one (policy, target, scheduled time). */
export const ScheduleRun = z.object({
  policyId: z.string(),
  targetId: z.string(),
  scheduledAt: z.iso.datetime(),
  /** CLAIMED until the dispatcher settles it; a re-driven tick finishes a CLAIMED run. */
  /** FAILED: an error stopped it (recorded and announced; the tick went on). */
  status: z.enum(["CLAIMED", "STARTED", "SKIPPED", "MISSED", "FAILED"]),
  /** Reserved when claimed, so a re-driven tick creates the same backup, not another. */
  backupId: z.string(),
  reason: z.string().optional(),
  at: z.iso.datetime(),
});
export type ScheduleRun = z.infer<typeof ScheduleRun>;

/** Runs are kept for 90 days: enough for digests and investigations. */
const RUN_TTL_SECONDS = 90 * 24 * 60 * 60;

/**
 * Schedule runs: the dispatcher's idempotency record. The first claim of a (policy,
 * target, scheduled time) wins; a duplicated or retried tick finds it and starts nothing.
 */
export class RunRepository extends TableRepository {
  /** Claims a run; returns the existing one when it was claimed before. */
  async claim(run: Omit<ScheduleRun, "status">): Promise<{ run: ScheduleRun; claimed: boolean }> {
    const fresh: ScheduleRun = { ...run, status: "CLAIMED" };
    try {
      await this.db.put({
        TableName: this.table,
        Item: {
          ...Keys.run(run.policyId, run.scheduledAt, run.targetId),
          entity: "run",
          ...fresh,
          ttl: Math.ceil(Date.parse(run.at) / 1000) + RUN_TTL_SECONDS,
        },
        ConditionExpression: "attribute_not_exists(pk)",
      });
      return { run: fresh, claimed: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const existing = await this.db.get({
      TableName: this.table,
      Key: Keys.run(run.policyId, run.scheduledAt, run.targetId),
      ConsistentRead: true,
    });
    return { run: ScheduleRun.parse(entityOf(existing.Item ?? {})), claimed: false };
  }

  /** One run, read strongly (a launch checks it is still CLAIMED); undefined if none. */
  async get(
    key: Pick<ScheduleRun, "policyId" | "scheduledAt" | "targetId">,
  ): Promise<ScheduleRun | undefined> {
    const result = await this.db.get({
      TableName: this.table,
      Key: Keys.run(key.policyId, key.scheduledAt, key.targetId),
      ConsistentRead: true,
    });
    return result.Item ? ScheduleRun.parse(entityOf(result.Item)) : undefined;
  }

  /**
   * Records the outcome of a claimed run, once: only a CLAIMED run moves, so the event
   * announcing the outcome goes into the run's outbox exactly once (lib/store/outbox.ts).
   * False when the run was settled before.
   */
  async settle(
    run: ScheduleRun,
    status: "STARTED" | "SKIPPED" | "MISSED" | "FAILED",
    reason?: string,
    events: readonly DomainEvent[] = [],
  ): Promise<boolean> {
    const key = Keys.run(run.policyId, run.scheduledAt, run.targetId);
    const outbox = events.length
      ? outboxAppend(events, this.clock.now().toISOString(), key)
      : { sets: [], names: {}, values: {} };
    const sets = ["#s = :s", ...(reason ? ["reason = :r"] : []), ...outbox.sets];
    return conditionHeld(() =>
      this.db.update({
        TableName: this.table,
        Key: key,
        UpdateExpression: `SET ${sets.join(", ")}`,
        ConditionExpression: "#s = :claimed",
        ExpressionAttributeNames: { "#s": "status", ...outbox.names },
        ExpressionAttributeValues: {
          ":s": status,
          ":claimed": "CLAIMED",
          ...(reason ? { ":r": reason } : {}),
          ...outbox.values,
        },
      }),
    );
  }

  /** A policy's runs, newest first. */
  async list(policyId: string, limit = 50): Promise<ScheduleRun[]> {
    const result = await this.db.query({
      TableName: this.table,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": `RUN#${policyId}` },
      ScanIndexForward: false,
      Limit: limit,
    });
    return (result.Items ?? []).map((item) => ScheduleRun.parse(entityOf(item)));
  }
}
