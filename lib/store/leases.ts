import { LeaseHeldError } from "../core/errors.ts";
import { Keys } from "./keys.ts";
import { isConditionFailure } from "./page.ts";
import { TableRepository } from "./repository.ts";

/** Who holds a resource and until when. */
export interface Lease {
  resource: string;
  holder: string;
  expiresAtMs: number;
}

/**
 * Single-flight leases on vendor resources (Zilliz allows one manual backup job per
 * cluster). No transactions: one conditional put takes a lease that is free, expired,
 * or already ours; the expiry means a crashed holder cannot wedge a resource.
 */
export class LeaseRepository extends TableRepository {
  /**
   * Takes (or re-takes, for the same holder) the lease for `ttlMs`. Re-taking never
   * shortens it: a re-driven launch must not cut a running workflow's lease.
   * @throws LeaseHeldError when another holder has an unexpired lease.
   */
  async acquire(resource: string, holder: string, ttlMs: number): Promise<Lease> {
    const now = this.clock.now().getTime();
    const lease = { resource, holder, expiresAtMs: now + ttlMs };
    try {
      await this.db.put({
        TableName: this.table,
        Item: {
          ...Keys.lease(resource),
          entity: "lease",
          ...lease,
          // Housekeeping only: correctness never waits for TTL.
          ttl: Math.ceil(lease.expiresAtMs / 1000) + 86_400,
        },
        // Free, expired, or ours and not being shortened.
        ConditionExpression:
          "attribute_not_exists(pk) OR expiresAtMs < :now OR (holder = :holder AND expiresAtMs <= :until)",
        ExpressionAttributeValues: {
          ":now": now,
          ":holder": holder,
          ":until": lease.expiresAtMs,
        },
      });
      return lease;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = await this.find(resource);
      // Ours already, for longer than asked: keep it as it is (never shorten our own lease).
      if (current?.holder === holder && current.expiresAtMs >= lease.expiresAtMs) return current;
      throw new LeaseHeldError(resource, current?.holder ?? "another backup");
    }
  }

  /** Releases the lease if `holder` still has it; releasing twice is harmless. */
  async release(resource: string, holder: string): Promise<void> {
    try {
      await this.db.delete({
        TableName: this.table,
        Key: Keys.lease(resource),
        ConditionExpression: "holder = :holder",
        ExpressionAttributeValues: { ":holder": holder },
      });
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** The current lease, expired or not, if any. */
  async find(resource: string): Promise<Lease | undefined> {
    const result = await this.db.get({
      TableName: this.table,
      Key: Keys.lease(resource),
      ConsistentRead: true,
    });
    const item = result.Item;
    if (!item) return undefined;
    return { resource, holder: String(item.holder), expiresAtMs: Number(item.expiresAtMs) };
  }
}
