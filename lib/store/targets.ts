import { Target } from "../core/target.ts";
import type { TableClient } from "./client.ts";
import { EntityRepository } from "./entity-repository.ts";
import { Keys } from "./keys.ts";
import { entityOf } from "./page.ts";

/** A target item carries this once its tags are in the tag index (a layout attribute). */
const INDEXED = "tagIndex";

/**
 * Registered targets, and the tag index that lets a policy's selector find its targets
 * by a Query instead of a page through every target.
 *
 * The index is one small item per tag of each target (`Keys.targetTag`), in the by-parent
 * index under `TAG#<key>=<value>`. DynamoDB Local and dynalite have no transactions, so
 * the writes are ordered to make every crash harmless: a target's new tags are indexed
 * before the target shows them, and its old ones are removed only after it no longer
 * does. An index entry can therefore be stale (pointing at a target that lost the tag or
 * is gone) but never missing, and readers check each entry against the target itself.
 * Targets written before the index existed are indexed by the sweeper
 * ({@link TargetRepository.indexUnindexed}); until it has seen every one, selectors page
 * through all targets as before ({@link TargetRepository.tagIndexComplete}).
 */
export class TargetRepository extends EntityRepository<Target> {
  constructor(options: { db: TableClient; table: string }) {
    super(options, {
      entity: "target",
      schema: Target,
      key: Keys.target,
      item: (target) => ({
        ...Keys.target(target.id),
        ...Keys.targetIndex(target.createdAt, target.id),
        entity: "target",
        [INDEXED]: 1,
        ...target,
      }),
      listPartition: "TARGETS",
    });
  }

  override async create(value: Target): Promise<Target> {
    const valid = Target.parse(value);
    // Index first: a create that then fails (a taken id) leaves only stale entries.
    await this.#index(valid);
    return super.create(valid);
  }

  override async replace(value: Target, expectedVersion: number): Promise<Target> {
    const valid = Target.parse(value);
    const before = await this.find(valid.id);
    await this.#index(valid);
    const replaced = await super.replace(valid, expectedVersion);
    if (before) await this.#unindex(before, valid.tags);
    return replaced;
  }

  override async delete(id: string): Promise<void> {
    const before = await this.find(id);
    await super.delete(id);
    if (before) await this.#unindex(before, {});
  }

  /**
   * The ids of the targets whose index entries say they carry `key=value`, a page at a
   * time. Entries may be stale: check each target's own tags.
   */
  async taggedIds(
    key: string,
    value: string,
    cursor?: Record<string, unknown>,
  ): Promise<{ ids: string[]; next?: Record<string, unknown> }> {
    const result = await this.db.query({
      TableName: this.table,
      IndexName: "gsi1",
      KeyConditionExpression: "gsi1pk = :tag",
      ExpressionAttributeValues: { ":tag": Keys.tagPartition(key, value) },
      ExclusiveStartKey: cursor,
      // Newest first, as the listing of all targets is.
      ScanIndexForward: false,
      Limit: 500,
    });
    const ids = (result.Items ?? []).map((item) => String(item.targetId));
    return result.LastEvaluatedKey ? { ids, next: result.LastEvaluatedKey } : { ids };
  }

  /** Whether every target is in the tag index (the sweeper says so once it has checked). */
  async tagIndexComplete(): Promise<boolean> {
    const result = await this.db.get({ TableName: this.table, Key: Keys.tagIndexMarker() });
    return result.Item !== undefined;
  }

  /**
   * Indexes the tags of every target written before the index existed, then marks the
   * index complete. Idempotent; returns how many targets it indexed.
   */
  async indexUnindexed(): Promise<number> {
    let indexed = 0;
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await this.db.query({
        TableName: this.table,
        IndexName: "gsi1",
        KeyConditionExpression: "gsi1pk = :all",
        ExpressionAttributeValues: { ":all": "TARGETS" },
        ExclusiveStartKey: cursor,
      });
      for (const item of page.Items ?? []) {
        if (item[INDEXED] !== undefined) continue;
        const target = Target.parse(entityOf(item));
        await this.#index(target);
        await this.db
          .update({
            TableName: this.table,
            Key: Keys.target(target.id),
            UpdateExpression: "SET #indexed = :one",
            ConditionExpression: "attribute_exists(pk)",
            ExpressionAttributeNames: { "#indexed": INDEXED },
            ExpressionAttributeValues: { ":one": 1 },
          })
          .catch((error: unknown) => {
            // Deleted meanwhile: nothing to mark.
            if (!(error instanceof Error && error.name === "ConditionalCheckFailedException"))
              throw error;
          });
        indexed++;
      }
      cursor = page.LastEvaluatedKey;
    } while (cursor);
    await this.db.put({
      TableName: this.table,
      Item: { ...Keys.tagIndexMarker(), entity: "meta" },
    });
    return indexed;
  }

  async #index(target: Target): Promise<void> {
    for (const [key, value] of Object.entries(target.tags)) {
      await this.db.put({
        TableName: this.table,
        Item: {
          ...Keys.targetTag(target.id, key, value),
          gsi1pk: Keys.tagPartition(key, value),
          gsi1sk: `${target.createdAt}#${target.id}`,
          entity: "target-tag",
          targetId: target.id,
        },
      });
    }
  }

  /** Removes the entries of `before`'s tags that `kept` no longer has. */
  async #unindex(before: Target, kept: Record<string, string>): Promise<void> {
    for (const [key, value] of Object.entries(before.tags)) {
      if (kept[key] === value) continue;
      await this.db.delete({ TableName: this.table, Key: Keys.targetTag(before.id, key, value) });
    }
  }
}
