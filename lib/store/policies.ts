import { Policy } from "../core/policy.ts";
import type { TableClient } from "./client.ts";
import { EntityRepository } from "./entity-repository.ts";
import { Keys } from "./keys.ts";
import { conditionHeld, dueItemPages } from "./page.ts";

const parse = (item: Record<string, unknown>) => Policy.parse(item);

/** The item for a policy: due-index keys only while it is enabled and has a next run. */
function itemOf(policy: Policy) {
  return {
    ...Keys.policy(policy.id),
    ...Keys.policyIndex(policy.createdAt, policy.id),
    ...(policy.enabled && policy.nextRunAt ? Keys.policyDue(policy.nextRunAt, policy.id) : {}),
    entity: "policy",
    ...policy,
  };
}

/**
 * Backup policies. The due index (`POLICY_DUE`, sorted by next run) is sparse: a paused
 * policy is not in it, so the dispatcher's Query only ever sees enabled, due policies.
 */
export class PolicyRepository extends EntityRepository<Policy> {
  constructor(options: { db: TableClient; table: string }) {
    super(options, {
      entity: "policy",
      schema: Policy,
      key: Keys.policy,
      item: itemOf,
      listPartition: "POLICIES",
    });
  }

  /**
   * Enabled policies whose next run is at or before `now`, earliest first, a page at a
   * time through all of them (a Query on the due index, never a Scan).
   */
  async *due(now: Date, pageSize = 100): AsyncGenerator<Policy[]> {
    for await (const items of dueItemPages(this.db, this.table, "POLICY_DUE", now, pageSize))
      yield items.map((item) => parse(item));
  }

  /**
   * Moves a policy's next run from `from` to `to`, only if it is still `from`: of two
   * dispatchers acting on the same tick, one advances and the other is told it lost.
   */
  async advance(id: string, from: string, to: string): Promise<boolean> {
    return conditionHeld(() =>
      this.db.update({
        TableName: this.table,
        Key: Keys.policy(id),
        UpdateExpression: "SET nextRunAt = :to, gsi3sk = :sk REMOVE dispatchedThrough",
        ConditionExpression: "nextRunAt = :from AND enabled = :on",
        ExpressionAttributeValues: {
          ":to": to,
          ":from": from,
          ":sk": `${to}#${id}`,
          ":on": true,
        },
      }),
    );
  }

  /**
   * Notes that the ticks have claimed and sent the slot `scheduledAt` through `targetId`
   * (in id order), while the policy is still on that slot; false when it moved on.
   */
  async dispatchedThrough(id: string, scheduledAt: string, targetId: string): Promise<boolean> {
    return conditionHeld(() =>
      this.db.update({
        TableName: this.table,
        Key: Keys.policy(id),
        UpdateExpression: "SET dispatchedThrough = :through",
        ConditionExpression: "nextRunAt = :slot",
        ExpressionAttributeValues: { ":through": { scheduledAt, targetId }, ":slot": scheduledAt },
      }),
    );
  }
}
