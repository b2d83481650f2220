import * as z from "zod";
import { epochOf, queryValue, wholeNumber } from "../query.ts";
import { huaweiBackupShape, huaweiStateSchema } from "./model.ts";
import { taurusDbInstancesShape } from "./taurusdb-instances-model.ts";

/** A TaurusDB backup as stored (the shared Huawei fields explain how state is kept). */
const storedBackupSchema = z.object({
  ...huaweiBackupShape,
  /** 32 hex digits + `br07`, like the documented examples. */
  id: z.string(),
  name: z.string(),
  description: z.string(),
  /** `auto` only for backups seeded as made by the automatic policy (older state files: manual). */
  type: z.enum(["manual", "auto"]).default("manual"),
  jobId: z.string(),
  /** Set by a `fail-next-backup` fault: the backup ends FAILED with this reason. */
  failReason: z.string().nullable(),
  sizeMb: z.number(),
});

/** Schema of the TaurusDB simulator's state file: the shared one plus instances and their jobs. */
export const taurusDbStateSchema =
  huaweiStateSchema(storedBackupSchema).extend(taurusDbInstancesShape);

/** A backup as stored. */
export type StoredTaurusBackup = z.infer<typeof storedBackupSchema>;
/** The whole persisted simulator state. */
export type TaurusDbState = z.infer<typeof taurusDbStateSchema>;

/**
 * A backup's phase at `now`. `DELETING` is not a TaurusDB status: the backup is still
 * listed (with its last status) after an accepted delete; `GONE` means no longer listed.
 */
export type TaurusPhase = "BUILDING" | "COMPLETED" | "FAILED" | "DELETING" | "GONE";

/**
 * Derives a backup's phase.
 *
 * ASSUMPTION (UNCONFIRMED): how long a deleted backup stays listed, and with which status,
 * is not documented. Here it keeps its last status for `deleteDurationMs`, then vanishes
 * (the vendor Terraform provider treats "not listed" as deleted).
 */
export function taurusPhaseAt(
  backup: StoredTaurusBackup,
  now: number,
  deleteDurationMs: number,
): TaurusPhase {
  if (backup.deletedAt !== null) {
    return now < backup.deletedAt + deleteDurationMs ? "DELETING" : "GONE";
  }
  if (now < backup.createdAt + backup.durationMs) return "BUILDING";
  return backup.failReason === null ? "COMPLETED" : "FAILED";
}

/** The status a listed backup shows: a backup being deleted shows how it ended. */
export function listedStatus(backup: StoredTaurusBackup, phase: TaurusPhase): string {
  if (phase !== "DELETING") return phase;
  return backup.failReason === null ? "COMPLETED" : "FAILED";
}

/**
 * TaurusDB's documented time format, `2018-08-06T12:41:14+0800`; the simulator runs in UTC.
 */
export function taurusTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, "+0000");
}

/** Validated query of `GET /v3/{project_id}/backups`, or the reason it is invalid. */
export interface TaurusListQuery {
  instanceId?: string;
  backupId?: string;
  backupType?: "auto" | "manual";
  offset: number;
  limit: number;
  beginTime?: number;
  endTime?: number;
}

/** Parses the list query: `offset` ≥ 0 (default 0), `limit` 1–100 (default 100). */
export function parseTaurusListQuery(params: URLSearchParams): TaurusListQuery | string {
  const value = (name: string) => queryValue(params, name);
  const offset = wholeNumber(value("offset"), 0);
  if (offset === undefined) return "offset must be an integer of at least 0";
  const limit = wholeNumber(value("limit"), 100);
  if (limit === undefined || limit < 1 || limit > 100)
    return "limit must be an integer from 1 to 100";
  const backupType = value("backup_type");
  if (backupType !== undefined && backupType !== "auto" && backupType !== "manual") {
    return "backup_type must be auto or manual";
  }
  const beginTime = epochOf(value("begin_time"));
  const endTime = epochOf(value("end_time"));
  if (Number.isNaN(beginTime) || Number.isNaN(endTime)) {
    return "begin_time and end_time must be yyyy-mm-ddThh:mm:ssZ";
  }
  return {
    instanceId: value("instance_id"),
    backupId: value("backup_id"),
    backupType,
    offset,
    limit,
    beginTime,
    endTime,
  };
}
