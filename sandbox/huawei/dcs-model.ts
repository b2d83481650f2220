import * as z from "zod";
import { queryValue, wholeNumber } from "../query.ts";
import { timedRecordShape } from "../state-file.ts";
import { huaweiBackupShape, huaweiStateSchema } from "./model.ts";

/** A simulated DCS instance: what `GET /v2/{project_id}/instances/{id}` shows of it. */
export const dcsInstanceSchema = z.object({
  instanceId: z.string(),
  name: z.string(),
  /** `single`, `ha` (master/standby), `cluster`, `proxy` or `ha_rw_split`. */
  cacheMode: z.string(),
  specCode: z.string(),
  /** GB. */
  capacity: z.number(),
  /**
   * MB of data held at start (`used_memory`); default 5 % of the capacity. Clients'
   * writes are stood in for by `sim.writeData`, a restore by the backup's figure.
   */
  usedMemoryMb: z.number().nonnegative().optional(),
});
/** A simulated DCS instance (see {@link dcsInstanceSchema}). */
export type DcsInstance = z.infer<typeof dcsInstanceSchema>;

/** Built-in demo instances: one master/standby (backups work) and one single-node (refused). */
export const DEFAULT_DCS_INSTANCES: DcsInstance[] = [
  {
    instanceId: "3d2b5a8e-7c41-4f0e-9b6a-1e2f3a4b5c6d",
    name: "dcs-demo-ha",
    cacheMode: "ha",
    specCode: "redis.ha.xu1.large.r2.2",
    capacity: 2,
  },
  {
    instanceId: "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a",
    name: "dcs-demo-single",
    cacheMode: "single",
    specCode: "redis.single.xu1.large.2",
    capacity: 2,
  },
];

const storedBackupSchema = z.object({
  ...huaweiBackupShape,
  backupId: z.string(),
  backupName: z.string(),
  remark: z.string(),
  /** `auto` only for records seeded as made by the backup policy (older state files: manual). */
  backupType: z.enum(["manual", "auto"]).default("manual"),
  format: z.enum(["rdb", "aof"]),
  /** Set by a `fail-next-backup` fault: the record ends `failed` with this error code. */
  failCode: z.string().nullable(),
  sizeBytes: z.number().int(),
  /** The instance's data when the backup was made (its `used_memory`); older files: none. */
  usedMemoryMb: z.number().nonnegative().optional(),
});

/** A restore record as stored: `backupId`'s data written over `instanceId`'s. */
const storedRestoreSchema = z.object({
  restoreId: z.string(),
  instanceId: z.string(),
  backupId: z.string(),
  backupName: z.string(),
  backupRemark: z.string(),
  /** `restore_remark` of the record (the request's `remark`). */
  remark: z.string(),
  seq: z.number().int(),
  ...timedRecordShape,
  /** Set by a `fail-next-restore` fault: the record ends `failed` with this error code. */
  failCode: z.string().nullable(),
  /** The data the restore leaves in the instance (the backup's `usedMemoryMb`). */
  usedMemoryMb: z.number().nonnegative(),
});

/** What clients last wrote to an instance (`sim.writeData`): its data from `at` on. */
const instanceDataSchema = z.object({ usedMemoryMb: z.number().nonnegative(), at: z.number() });

/**
 * Schema of the DCS simulator's state file: the shared Huawei state plus restore records
 * and instance data (both absent from files written before restores existed).
 */
export const dcsStateSchema = huaweiStateSchema(storedBackupSchema).extend({
  restores: z.array(storedRestoreSchema).default([]),
  instanceData: z.record(z.string(), instanceDataSchema).default({}),
});

/** A backup record as stored. */
export type StoredDcsBackup = z.infer<typeof storedBackupSchema>;
/** A restore record as stored. */
export type StoredDcsRestore = z.infer<typeof storedRestoreSchema>;
/** The whole persisted simulator state. */
export type DcsState = z.infer<typeof dcsStateSchema>;

/** Documented backup statuses (`expired` is never produced: manual backups do not expire). */
export type DcsStatus = "waiting" | "backuping" | "succeed" | "failed" | "deleted";

/** Share of the duration spent `waiting` before `backuping` starts. */
const WAITING_SHARE = 0.1;

/**
 * A record's status and progress at `now`: `waiting`, `backuping` (progress rising),
 * then `succeed` or `failed`. After an accepted DELETE it keeps showing its last status for
 * `deleteDurationMs`, then `deleted` — and stays listed (docs/providers.md §4.3; the vendor
 * Terraform provider waits through `succeed` until `deleted`). The delay is UNCONFIRMED.
 */
export function dcsStatusAt(
  backup: StoredDcsBackup,
  now: number,
  deleteDurationMs: number,
): { status: DcsStatus; progress: number } {
  if (backup.deletedAt !== null && now >= backup.deletedAt + deleteDurationMs) {
    return { status: "deleted", progress: 100 };
  }
  const endAt = backup.createdAt + backup.durationMs;
  if (now >= endAt)
    return { status: backup.failCode === null ? "succeed" : "failed", progress: 100 };
  const startAt = backup.createdAt + backup.durationMs * WAITING_SHARE;
  if (now < startAt) return { status: "waiting", progress: 0 };
  return { status: "backuping", progress: Math.floor(((now - startAt) / (endAt - startAt)) * 100) };
}

/** Documented restore statuses (ListRestoreRecords, InstanceRestoreInfo.status). */
export type DcsRestoreStatus = "waiting" | "restoring" | "succeed" | "failed";

/**
 * A restore record's status and progress at `now`: `waiting`, `restoring` (progress
 * rising), then `succeed` or `failed`, over the record's `durationMs` (the share spent
 * waiting is the backups' one; ASSUMPTION: undocumented).
 */
export function dcsRestoreStatusAt(
  restore: StoredDcsRestore,
  now: number,
): { status: DcsRestoreStatus; progress: number } {
  const endAt = restore.createdAt + restore.durationMs;
  if (now >= endAt)
    return { status: restore.failCode === null ? "succeed" : "failed", progress: 100 };
  const startAt = restore.createdAt + restore.durationMs * WAITING_SHARE;
  if (now < startAt) return { status: "waiting", progress: 0 };
  return { status: "restoring", progress: Math.floor(((now - startAt) / (endAt - startAt)) * 100) };
}

/** DCS record times: ISO-8601 UTC with milliseconds, as in the documented examples. */
export function dcsTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** Parses a `yyyyMMddHHmmss` (UTC) list bound; NaN when malformed. */
export function parseCompactTime(raw: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(raw);
  return m ? Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`) : Number.NaN;
}

/** A validated list query: the v2 `offset` or the v1.0 1-based `start`, both as an offset. */
export interface DcsListQuery {
  offset: number;
  limit: number;
  beginTime?: number;
  endTime?: number;
}

/**
 * Parses the list query of either API generation. v2: `offset` ≥ 0, `limit` 1–1000
 * (default 10), `begin_time`/`end_time`. v1.0: `start` ≥ 1 (the sequence number of the
 * first record, default 1), `limit` ≥ 1, `beginTime`/`endTime`.
 */
export function parseDcsListQuery(params: URLSearchParams, v1: boolean): DcsListQuery | string {
  const value = (name: string) => queryValue(params, name);
  const first = wholeNumber(value(v1 ? "start" : "offset"), v1 ? 1 : 0);
  if (first === undefined || (v1 && first < 1)) {
    return v1
      ? "start must be an integer of at least 1"
      : "offset must be an integer of at least 0";
  }
  const limit = wholeNumber(value("limit"), 10);
  if (limit === undefined || limit < 1 || limit > 1000)
    return "limit must be an integer from 1 to 1000";
  const begin = value(v1 ? "beginTime" : "begin_time");
  const end = value(v1 ? "endTime" : "end_time");
  const beginTime = begin === undefined ? undefined : parseCompactTime(begin);
  const endTime = end === undefined ? undefined : parseCompactTime(end);
  if (Number.isNaN(beginTime) || Number.isNaN(endTime)) return "times must be yyyyMMddHHmmss";
  return { offset: v1 ? first - 1 : first, limit, beginTime, endTime };
}
