import type * as z from "zod";
import {
  type BackupRecord,
  BackupRecord as BackupRecordSchema,
  type HistoryEntry,
} from "../core/backup.ts";
import { ConflictError, InvalidTransitionError, NotFoundError } from "../core/errors.ts";
import { type BackupStatus, sourcesOf } from "../core/status.ts";
import type { DomainEvent } from "../notify/events.ts";
import { Keys } from "./keys.ts";
import { outboxAppend, outboxAttributes } from "./outbox.ts";
import { conditionHeld, entityOf, isConditionFailure, type Page, queryPage } from "./page.ts";
import { TableRepository } from "./repository.ts";
import { putNew } from "./writes.ts";

/** Raised in place of DynamoDB's when the pre-read already shows the write would fail. */
class ConditionalCheckFailed extends Error {
  override readonly name = "ConditionalCheckFailedException";
}

/** The record as an update of `fields` and a history `entry` will leave it. */
function nextImage(
  current: BackupRecord,
  fields: BackupPatch & { status: BackupStatus; updatedAt: string },
  entry: HistoryEntry,
): BackupRecord {
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(fields)) {
    if (value === null) delete next[key];
    else if (value !== undefined) next[key] = value;
  }
  return parse({ ...next, history: [...current.history, entry], version: current.version + 1 });
}

/** Fields a transition may set besides the status; `null` removes the attribute. */
export type BackupPatch = {
  [K in Exclude<
    keyof BackupRecord,
    "id" | "targetId" | "status" | "version" | "createdAt" | "history"
  >]?: BackupRecord[K] | null;
};

/** Listing filters; every combination is served by a Query, never a Scan. */
export interface BackupQuery {
  targetId?: string;
  status?: BackupStatus;
  policyId?: string;
  /** ISO-8601 bounds on creation time, inclusive. */
  createdAfter?: string;
  createdBefore?: string;
  /** Internal (the sweeper): only backups whose own `expiresAt` is at or before this. */
  expiredBy?: string;
  /** Internal (the sweeper): only backups a restore has marked. */
  restoring?: boolean;
  limit?: number;
  cursor?: string;
}

const parse = (item: Record<string, unknown>) => BackupRecordSchema.parse(item);

/**
 * Statuses on the way to deletion: the store refuses to move a held backup into them,
 * whatever the caller checked before (a hold placed meanwhile wins the race).
 */
const TOWARD_DELETION: ReadonlySet<BackupStatus> = new Set(["EXPIRING", "DELETING"]);

/**
 * Backup records. Every status change is a conditional write against the statuses the
 * status machine allows as sources, so a duplicated or late update fails with
 * {@link InvalidTransitionError} instead of moving a record backwards.
 */
export class BackupRepository extends TableRepository {
  /**
   * Stores a new record; an existing id is a conflict. `events` (built from the record as
   * stored) go into its outbox in the same write.
   */
  async create(
    record: z.input<typeof BackupRecordSchema>,
    events?: (created: BackupRecord) => DomainEvent[],
  ): Promise<BackupRecord> {
    const parsed = BackupRecordSchema.parse(record);
    const valid: BackupRecord =
      parsed.history.length > 0
        ? parsed
        : {
            ...parsed,
            history: [
              {
                at: parsed.createdAt,
                status: parsed.status,
                cause: `requested (${parsed.trigger})`,
              },
            ],
          };
    const key = Keys.backup(valid.id);
    await putNew(
      { db: this.db, table: this.table, entity: "backup" },
      {
        ...key,
        ...Keys.backupIndexes(valid),
        ...outboxAttributes(events?.(valid) ?? [], valid.createdAt, key),
        entity: "backup",
        ...valid,
      },
      valid.id,
    );
    return valid;
  }

  /** The record, or undefined. */
  async find(id: string): Promise<BackupRecord | undefined> {
    const result = await this.db.get({
      TableName: this.table,
      Key: Keys.backup(id),
      ConsistentRead: true,
    });
    return result.Item ? parse(entityOf(result.Item)) : undefined;
  }

  /** The record, or {@link NotFoundError}. */
  async get(id: string): Promise<BackupRecord> {
    const record = await this.find(id);
    if (!record) throw new NotFoundError("backup", id);
    return record;
  }

  /**
   * Moves a record to `to`, setting `patch`, only if its current status may move there
   * (optionally narrowed by `from`). With `idempotent`, a record already in `to` is
   * returned unchanged, so a retried step is harmless.
   */
  async transition(
    id: string,
    to: BackupStatus,
    patch: BackupPatch = {},
    options: {
      from?: readonly BackupStatus[];
      idempotent?: boolean;
      ttlSeconds?: number;
      /** Recorded in the history; by default the reason the patch carries. */
      cause?: string;
      /**
       * The domain events this transition causes, built from the record as it will be:
       * written into its outbox in the same conditional write (lib/store/outbox.ts).
       */
      events?: (next: BackupRecord) => DomainEvent[];
    } = {},
  ): Promise<BackupRecord> {
    const sources = sourcesOf(to).filter((s) => !options.from || options.from.includes(s));
    const now = this.clock.now().toISOString();
    if (sources.length === 0) throw new InvalidTransitionError(id, options.from?.join("|"), to);
    const cause =
      options.cause ??
      patch.lastError?.message ??
      patch.deleteReason ??
      (patch.providerStatus ? `vendor status ${patch.providerStatus}` : "system");
    const fields = { ...patch, status: to, updatedAt: now };
    const entry = { at: now, status: to, cause };
    try {
      if (!options.events) {
        return await this.#update(id, fields, sources, { ttlSeconds: options.ttlSeconds, entry });
      }
      return await this.#updatePinned(id, fields, sources, {
        ttlSeconds: options.ttlSeconds,
        entry,
        events: options.events,
        refuse: (current) =>
          (current.hold !== undefined || current.restoringBy !== undefined) &&
          TOWARD_DELETION.has(to),
      });
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = await this.find(id);
      if (!current) throw new NotFoundError("backup", id);
      if (options.idempotent && current.status === to) return current;
      if (current.restoringBy && TOWARD_DELETION.has(to)) {
        throw new ConflictError(
          `backup ${id} is being restored (${current.restoringBy.restoreId}); it can be deleted once the restore ends`,
          { restoreId: current.restoringBy.restoreId },
        );
      }
      if (current.hold && TOWARD_DELETION.has(to)) {
        throw new ConflictError(`backup ${id} is on legal hold: ${current.hold.reason}`, {
          hold: current.hold,
        });
      }
      throw new InvalidTransitionError(id, current.status, to);
    }
  }

  /**
   * Like {@link transition}, but reports whether this call made the change: a record
   * already in `to` is returned with `changed: false`. Whoever changed it announces it
   * (domain events), so a retried step never announces twice.
   */
  async settle(
    id: string,
    to: BackupStatus,
    patch: BackupPatch = {},
    options: {
      from?: readonly BackupStatus[];
      ttlSeconds?: number;
      cause?: string;
      events?: (next: BackupRecord) => DomainEvent[];
    } = {},
  ): Promise<{ record: BackupRecord; changed: boolean }> {
    try {
      return { record: await this.transition(id, to, patch, options), changed: true };
    } catch (error) {
      if (!(error instanceof InvalidTransitionError)) throw error;
      const current = await this.find(id);
      if (current?.status === to) return { record: current, changed: false };
      throw error;
    }
  }

  /**
   * Updates fields without changing status, only while the record is in `status`. Given
   * `audit`, the change is also an entry of the history (`cause`, at the record's status)
   * and may cause events, written in the same conditional write as with
   * {@link transition}.
   */
  async patch(
    id: string,
    status: BackupStatus,
    patch: BackupPatch,
    audit?: { cause: string; events?: (next: BackupRecord) => DomainEvent[] },
  ): Promise<BackupRecord> {
    const now = this.clock.now().toISOString();
    const fields = { ...patch, updatedAt: now };
    try {
      if (!audit) return await this.#update(id, fields, [status], {});
      const entry = { at: now, status, cause: audit.cause };
      if (!audit.events) return await this.#update(id, fields, [status], { entry });
      return await this.#updatePinned(id, fields, [status], { entry, events: audit.events });
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = await this.find(id);
      if (!current) throw new NotFoundError("backup", id);
      throw new InvalidTransitionError(id, current.status, status);
    }
  }

  /**
   * Marks an AVAILABLE backup as read by a restore: while marked, nothing moves it toward
   * deletion (the condition of every such write says so). One restore at a time per
   * backup; the same restore marking again is harmless.
   * @throws ConflictError when the backup is not AVAILABLE or another restore reads it
   */
  async markRestoring(id: string, restoreId: string): Promise<BackupRecord> {
    try {
      const result = await this.db.update({
        TableName: this.table,
        Key: Keys.backup(id),
        UpdateExpression: "SET restoringBy = :by, #version = #version + :one",
        ConditionExpression:
          "#status = :available AND (attribute_not_exists(restoringBy) OR restoringBy.restoreId = :id)",
        ExpressionAttributeNames: { "#status": "status", "#version": "version" },
        ExpressionAttributeValues: {
          ":by": { restoreId, since: this.clock.now().toISOString() },
          ":available": "AVAILABLE",
          ":id": restoreId,
          ":one": 1,
        },
        ReturnValues: "ALL_NEW",
      });
      return parse(entityOf(result.Attributes ?? {}));
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = await this.get(id);
      throw new ConflictError(
        current.restoringBy
          ? `backup ${id} is already being restored (${current.restoringBy.restoreId}); one restore of a backup at a time`
          : `backup ${id} is ${current.status}; only an AVAILABLE backup can be restored`,
        { backupStatus: current.status, restoreId: current.restoringBy?.restoreId },
      );
    }
  }

  /** Lifts a restore's mark; a mark of another restore (or none) is left as it is. */
  async unmarkRestoring(id: string, restoreId: string): Promise<void> {
    await conditionHeld(() =>
      this.db.update({
        TableName: this.table,
        Key: Keys.backup(id),
        UpdateExpression: "REMOVE restoringBy SET #version = #version + :one",
        ConditionExpression: "restoringBy.restoreId = :id",
        ExpressionAttributeNames: { "#version": "version" },
        ExpressionAttributeValues: { ":id": restoreId, ":one": 1 },
      }),
    );
  }

  /**
   * Claims a vendor backup for one of our records. True when the claim is ours (new or
   * already ours); false when another record owns that vendor backup. Adoption uses this
   * so a vendor backup is never recorded twice.
   */
  async claimVendorBackup(
    provider: string,
    resourceId: string,
    vendorBackupId: string,
    backupId: string,
    /** A claim naming this record, known not to exist, may be taken over. */
    replacing?: string,
  ): Promise<boolean> {
    return conditionHeld(() =>
      this.db.put({
        TableName: this.table,
        Item: {
          ...Keys.vendorClaim(provider, resourceId, vendorBackupId),
          entity: "vendor-claim",
          backupId,
        },
        ConditionExpression: replacing
          ? "attribute_not_exists(pk) OR backupId = :id OR backupId = :stale"
          : "attribute_not_exists(pk) OR backupId = :id",
        ExpressionAttributeValues: {
          ":id": backupId,
          ...(replacing ? { ":stale": replacing } : {}),
        },
      }),
    );
  }

  /** The record that claimed a vendor backup, if one did. */
  async vendorClaimOf(
    provider: string,
    resourceId: string,
    vendorBackupId: string,
  ): Promise<string | undefined> {
    const result = await this.db.get({
      TableName: this.table,
      Key: Keys.vendorClaim(provider, resourceId, vendorBackupId),
      ConsistentRead: true,
    });
    return typeof result.Item?.backupId === "string" ? result.Item.backupId : undefined;
  }

  /** Every backup of a target, newest first, all pages (Queries on the by-target index). */
  async listAllOfTarget(targetId: string): Promise<BackupRecord[]> {
    const all: BackupRecord[] = [];
    for await (const record of this.#every({ targetId })) all.push(record);
    return all;
  }

  /** Calls `each` for every backup in `status`, newest first, one at a time (by-status Queries). */
  async forEachWithStatus(
    status: BackupStatus,
    each: (record: BackupRecord) => Promise<void>,
  ): Promise<void> {
    for await (const record of this.#every({ status })) await each(record);
  }

  /** Calls `each` for every record, tombstones included, newest first (the bill). */
  async forEachRecord(each: (record: BackupRecord) => Promise<void>): Promise<void> {
    for await (const record of this.#every({})) await each(record);
  }

  /** Calls `each` for every AVAILABLE backup a restore has marked (the sweeper's check). */
  async forEachRestoring(each: (record: BackupRecord) => Promise<void>): Promise<void> {
    for await (const record of this.#every({ status: "AVAILABLE", restoring: true }))
      await each(record);
  }

  /**
   * Every AVAILABLE backup whose own `expiresAt` has passed: what an expiry marker that
   * fired while a guard held the backup would otherwise leave alone for good.
   */
  async forEachExpiredAvailable(
    now: Date,
    each: (record: BackupRecord) => Promise<void>,
  ): Promise<void> {
    for await (const record of this.#every({ status: "AVAILABLE", expiredBy: now.toISOString() }))
      await each(record);
  }

  async *#every(query: Omit<BackupQuery, "limit" | "cursor">): AsyncGenerator<BackupRecord> {
    let cursor: string | undefined;
    do {
      const page = await this.list({ ...query, limit: 100, cursor });
      yield* page.items;
      cursor = page.nextCursor;
    } while (cursor);
  }

  /** Lists backups newest first: by target, by status, both, or all. */
  async list(query: BackupQuery = {}): Promise<Page<BackupRecord>> {
    const filters: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    if (query.targetId && query.status) {
      filters.push("#status = :status");
      names["#status"] = "status";
      values[":status"] = query.status;
    }
    if (query.restoring) filters.push("attribute_exists(restoringBy)");
    if (query.expiredBy) {
      filters.push("#expiresAt <= :expiredBy");
      names["#expiresAt"] = "expiresAt";
      values[":expiredBy"] = query.expiredBy;
    }
    if (query.policyId) {
      filters.push("#policyId = :policyId");
      names["#policyId"] = "policyId";
      values[":policyId"] = query.policyId;
    }
    // Pick the narrowest index: by target, by status, or all by time.
    const [index, hashValue] = query.targetId
      ? (["gsi1", `TARGET#${query.targetId}`] as const)
      : query.status
        ? (["gsi2", `STATUS#${query.status}`] as const)
        : (["gsi3", "BACKUPS"] as const);
    return queryPage(
      this.db,
      {
        table: this.table,
        limit: query.limit ?? 50,
        cursor: query.cursor,
        index,
        hashAttribute: `${index}pk`,
        hashValue,
        range: { attribute: `${index}sk`, from: query.createdAfter, to: query.createdBefore },
        filter: filters.length
          ? {
              FilterExpression: filters.join(" AND "),
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
            }
          : undefined,
      },
      parse,
    );
  }

  /**
   * An update whose events describe the record as the write leaves it: the write is pinned
   * to the version they were built from, and a concurrent write makes us read and build
   * again (a few times). A record not in `sources`, or one `refuse` turns down, fails like
   * a write whose condition failed — the caller answers it.
   */
  async #updatePinned(
    id: string,
    fields: BackupPatch & { status?: BackupStatus; updatedAt: string },
    sources: readonly BackupStatus[],
    options: {
      ttlSeconds?: number | undefined;
      entry: HistoryEntry;
      events: (next: BackupRecord) => DomainEvent[];
      refuse?: (current: BackupRecord) => boolean;
    },
  ): Promise<BackupRecord> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.find(id);
      if (!current) throw new NotFoundError("backup", id);
      if (!sources.includes(current.status) || options.refuse?.(current))
        throw new ConditionalCheckFailed();
      const next = nextImage(
        current,
        { ...fields, status: fields.status ?? current.status },
        options.entry,
      );
      try {
        return await this.#update(id, fields, sources, {
          ttlSeconds: options.ttlSeconds,
          entry: options.entry,
          version: current.version,
          events: options.events(next),
        });
      } catch (error) {
        if (!isConditionFailure(error) || attempt >= 5) throw error;
      }
    }
  }

  async #update(
    id: string,
    fields: BackupPatch & { status?: BackupStatus },
    sources: readonly BackupStatus[],
    options: {
      ttlSeconds?: number | undefined;
      entry?: HistoryEntry;
      /** Only if the record is still at this version. */
      version?: number;
      events?: DomainEvent[];
    },
  ) {
    const { ttlSeconds, entry } = options;
    const names: Record<string, string> = { "#status": "status", "#version": "version" };
    const values: Record<string, unknown> = { ":one": 1 };
    const sets = ["#version = #version + :one"];
    const removes: string[] = [];
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      names[`#${key}`] = key;
      if (value === null) {
        removes.push(`#${key}`);
      } else {
        values[`:${key}`] = value;
        sets.push(`#${key} = :${key}`);
      }
    }
    if (entry) {
      // Appended in the same conditional write: the history can never disagree with the status.
      names["#history"] = "history";
      values[":entry"] = [entry];
      values[":none"] = [];
      sets.push("#history = list_append(if_not_exists(#history, :none), :entry)");
    }
    if (ttlSeconds !== undefined) {
      // Tombstones expire long after deletion (TTL is layout, not part of the record).
      names["#ttl"] = "ttl";
      values[":ttl"] = ttlSeconds;
      sets.push("#ttl = :ttl");
    }
    if (fields.status && TOWARD_DELETION.has(fields.status)) {
      names["#hold"] = "hold";
      names["#restoringBy"] = "restoringBy";
    }
    if (fields.status) {
      // The by-status index key moves with the status.
      names["#gsi2pk"] = "gsi2pk";
      values[":gsi2pk"] = `STATUS#${fields.status}`;
      sets.push("#gsi2pk = :gsi2pk");
    }
    if (options.events?.length) {
      const outbox = outboxAppend(options.events, fields.updatedAt ?? "", Keys.backup(id));
      sets.push(...outbox.sets);
      Object.assign(names, outbox.names);
      Object.assign(values, outbox.values);
    }
    if (options.version !== undefined) values[":version"] = options.version;
    sources.forEach((s, i) => {
      values[`:from${i}`] = s;
    });
    const result = await this.db.update({
      TableName: this.table,
      Key: Keys.backup(id),
      UpdateExpression: `SET ${sets.join(", ")}${removes.length ? ` REMOVE ${removes.join(", ")}` : ""}`,
      ConditionExpression: `attribute_exists(pk) AND #status IN (${sources.map((_, i) => `:from${i}`).join(", ")})${
        fields.status && TOWARD_DELETION.has(fields.status)
          ? " AND attribute_not_exists(#hold) AND attribute_not_exists(#restoringBy)"
          : ""
      }${options.version === undefined ? "" : " AND #version = :version"}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: "ALL_NEW",
    });
    return parse(entityOf(result.Attributes ?? {}));
  }
}
