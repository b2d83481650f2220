import { createHash, randomBytes } from "node:crypto";
import { InvalidTransitionError, NotFoundError } from "../core/errors.ts";
import {
  RestoreOverwrite,
  type RestoreRecord,
  RestoreRecord as RestoreSchema,
  type RestoreStatus,
} from "../core/restore.ts";
import type { DomainEvent } from "../notify/events.ts";
import { Keys } from "./keys.ts";
import { outboxAppend, outboxAttributes } from "./outbox.ts";
import { entityOf, isConditionFailure, type Page, queryPage } from "./page.ts";
import { TableRepository } from "./repository.ts";
import { putNew } from "./writes.ts";

const parse = (item: Record<string, unknown>) => RestoreSchema.parse(item);

/** Where a restore may go from each status (its state machine). */
const SOURCES: Record<RestoreStatus, readonly RestoreStatus[]> = {
  PENDING: [],
  RESTORING: ["PENDING"],
  RESTORED: ["RESTORING"],
  RESTORE_FAILED: ["PENDING", "RESTORING"],
};

/** Fields a transition may set besides the status; `null` removes the attribute. */
export type RestorePatch = {
  [K in Exclude<
    keyof RestoreRecord,
    "id" | "backupId" | "targetId" | "status" | "version" | "createdAt" | "history"
  >]?: RestoreRecord[K] | null;
};

/** What a confirmation token is bound to. */
export interface RestoreTokenGrant {
  backupId: string;
  /** The destination, as canonical JSON. */
  destination: string;
  caller: string;
  expiresAt: string;
  /** What the preview said the restore overwrites. */
  overwrites: RestoreOverwrite;
}

/**
 * Restore records: created PENDING with their first event, then moved by conditional
 * writes along PENDING → RESTORING → RESTORED | RESTORE_FAILED — a late or duplicated
 * step fails with {@link InvalidTransitionError} instead of moving one backwards. Events
 * go into the item's outbox in the same write (lib/store/outbox.ts).
 */
export class RestoreRepository extends TableRepository {
  async create(
    record: RestoreRecord,
    events: (created: RestoreRecord) => DomainEvent[] = () => [],
  ): Promise<RestoreRecord> {
    const valid = parse(record);
    const key = Keys.restore(valid.id);
    await putNew(
      { db: this.db, table: this.table, entity: "restore" },
      {
        ...key,
        ...Keys.restoreIndexes(valid),
        ...outboxAttributes(events(valid), valid.createdAt, key),
        entity: "restore",
        ...valid,
      },
      valid.id,
    );
    return valid;
  }

  async find(id: string): Promise<RestoreRecord | undefined> {
    const result = await this.db.get({
      TableName: this.table,
      Key: Keys.restore(id),
      ConsistentRead: true,
    });
    return result.Item ? parse(entityOf(result.Item)) : undefined;
  }

  async get(id: string): Promise<RestoreRecord> {
    const record = await this.find(id);
    if (!record) throw new NotFoundError("restore", id);
    return record;
  }

  /** Restores newest first: all of them, or of one backup; optionally of one status. */
  async list(
    query: { backupId?: string; status?: RestoreStatus; limit?: number; cursor?: string } = {},
  ): Promise<Page<RestoreRecord>> {
    const [index, hashValue] = query.backupId
      ? (["gsi1", `RESTORES_OF#${query.backupId}`] as const)
      : (["gsi3", "RESTORES"] as const);
    return queryPage(
      this.db,
      {
        table: this.table,
        limit: query.limit ?? 50,
        cursor: query.cursor,
        index,
        hashAttribute: `${index}pk`,
        hashValue,
        filter: query.status
          ? {
              FilterExpression: "#status = :status",
              ExpressionAttributeNames: { "#status": "status" },
              ExpressionAttributeValues: { ":status": query.status },
            }
          : undefined,
      },
      parse,
    );
  }

  /** Every restore in `status`, oldest first within each page (the sweeper's resume). */
  async *inStatus(status: RestoreStatus): AsyncGenerator<RestoreRecord> {
    let cursor: string | undefined;
    do {
      const page = await this.list({ status, limit: 100, cursor });
      yield* page.items;
      cursor = page.nextCursor;
    } while (cursor);
  }

  /**
   * Updates fields (and, with `to`, the status, appending to the history), only while the
   * record is in one of the statuses it may come from. Pinned to the version read, so the
   * events describe exactly what was written. `changed: false` when the record is already
   * in `to` (a retried step): nothing is written or announced twice.
   */
  async update(
    id: string,
    patch: RestorePatch,
    options: {
      to?: RestoreStatus;
      /** Without `to`: the statuses the record must be in. */
      in?: readonly RestoreStatus[];
      cause?: string;
      events?: (next: RestoreRecord) => DomainEvent[];
    } = {},
  ): Promise<{ record: RestoreRecord; changed: boolean }> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.get(id);
      if (options.to && current.status === options.to) return { record: current, changed: false };
      const sources = options.to ? SOURCES[options.to] : (options.in ?? [current.status]);
      if (!sources.includes(current.status))
        throw new InvalidTransitionError(id, current.status, options.to ?? current.status);
      const now = this.clock.now().toISOString();
      const next: Record<string, unknown> = { ...current, updatedAt: now };
      for (const [key, value] of Object.entries(patch)) {
        if (value === null) delete next[key];
        else if (value !== undefined) next[key] = value;
      }
      if (options.to) {
        next.status = options.to;
        next.history = [
          ...current.history,
          { at: now, status: options.to, cause: options.cause ?? "system" },
        ];
      }
      next.version = current.version + 1;
      const record = parse(next);
      const events = options.events?.(record) ?? [];
      // An UpdateItem, never a Put: the item's pending outbox (events not yet published)
      // must survive, and the new ones are appended to it in the same write.
      const names: Record<string, string> = { "#version": "version" };
      const values: Record<string, unknown> = {
        ":version": current.version,
        ":next": record.version,
      };
      const sets = ["#version = :next"];
      const removes: string[] = [];
      const fields: Record<string, unknown> = { ...patch, updatedAt: now };
      if (options.to) {
        fields.status = options.to;
        fields.history = record.history;
      }
      for (const [field, value] of Object.entries(fields)) {
        if (value === undefined) continue;
        names[`#${field}`] = field;
        if (value === null) removes.push(`#${field}`);
        else {
          values[`:${field}`] = value;
          sets.push(`#${field} = :${field}`);
        }
      }
      if (events.length) {
        const outbox = outboxAppend(events, now, Keys.restore(id));
        sets.push(...outbox.sets);
        Object.assign(names, outbox.names);
        Object.assign(values, outbox.values);
      }
      try {
        await this.db.update({
          TableName: this.table,
          Key: Keys.restore(id),
          UpdateExpression: `SET ${sets.join(", ")}${removes.length ? ` REMOVE ${removes.join(", ")}` : ""}`,
          ConditionExpression: "#version = :version",
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        });
        return { record, changed: true };
      } catch (error) {
        if (!isConditionFailure(error) || attempt >= 5) throw error;
      }
    }
  }

  /**
   * Issues a confirmation token for a restore that overwrites: random, shown once, stored
   * only as its SHA-256 with what it is bound to, and gone (DynamoDB TTL) after it expires.
   */
  async issueToken(grant: RestoreTokenGrant): Promise<string> {
    const token = `rtk_${randomBytes(24).toString("base64url")}`;
    await this.db.put({
      TableName: this.table,
      Item: {
        ...Keys.restoreToken(hashOf(token)),
        entity: "restore-token",
        ...grant,
        ttl: Math.ceil(Date.parse(grant.expiresAt) / 1000) + 3_600,
      },
    });
    return token;
  }

  /**
   * Uses a token up: what it granted, only for an unexpired token bound to exactly this
   * backup, destination and caller, and only once (a conditional delete); else undefined.
   */
  async redeemToken(
    token: string,
    grant: Omit<RestoreTokenGrant, "expiresAt" | "overwrites">,
  ): Promise<RestoreTokenGrant | undefined> {
    try {
      const result = await this.db.delete({
        TableName: this.table,
        Key: Keys.restoreToken(hashOf(token)),
        ConditionExpression:
          "backupId = :backup AND destination = :destination AND caller = :caller AND expiresAt > :now",
        ExpressionAttributeValues: {
          ":backup": grant.backupId,
          ":destination": grant.destination,
          ":caller": grant.caller,
          ":now": this.clock.now().toISOString(),
        },
        ReturnValues: "ALL_OLD",
      });
      const old = result.Attributes ?? {};
      return {
        ...grant,
        expiresAt: String(old.expiresAt),
        overwrites: RestoreOverwrite.parse(old.overwrites),
      };
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }
}

function hashOf(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
