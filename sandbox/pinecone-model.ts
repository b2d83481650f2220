import * as z from "zod";
import type { SimResponse } from "./http-sim-types.ts";
import { deletableRecordShape, timedRecordShape } from "./state-file.ts";

/**
 * Stored Pinecone simulator state. Only creation facts and timestamps are stored: backup
 * and restore-job statuses are derived from them and the clock on every read, so a
 * simulator restarted from its state file continues exactly where it stopped.
 */
const storedIndexSchema = z.object({
  name: z.string(),
  indexId: z.string(),
  /** Backups exist for serverless indexes only (docs/providers.md §2.5). */
  kind: z.enum(["serverless", "pod"]),
  /** `IndexTags`; null for none. (Defaults keep state files written before restores valid.) */
  tags: z.record(z.string(), z.string()).nullable().default(null),
  deletionProtection: z.enum(["enabled", "disabled"]).default("disabled"),
  /** The restore job that creates the index (`POST /backups/{id}/create-index`), if one did. */
  restoreJobId: z.string().nullable().default(null),
  /** Records the index holds (a restored index: its backup's `record_count`). */
  recordCount: z.number().int().default(0),
  /** When `DELETE /indexes/{name}` was accepted; the index is `Terminating` until gone. */
  deletedAt: z.number().nullable().default(null),
  deleteDurationMs: z.number().nonnegative().default(0),
});

const storedBackupSchema = z.object({
  backupId: z.string(),
  name: z.string().nullable(),
  description: z.string().nullable(),
  indexName: z.string(),
  indexId: z.string(),
  /** Creation order: keeps "newest first" stable and is the pagination cursor. */
  seq: z.number().int(),
  ...timedRecordShape,
  /** Set by a `fail-next-backup` fault: the status the backup ends in instead of `Ready`. */
  failStatus: z.string().nullable(),
  recordCount: z.number().int(),
  namespaceCount: z.number().int(),
  sizeBytes: z.number().int(),
  ...deletableRecordShape,
  deleteDurationMs: z.number().nonnegative(),
});

const storedRestoreJobSchema = z.object({
  restoreJobId: z.string(),
  backupId: z.string(),
  targetIndexName: z.string(),
  targetIndexId: z.string(),
  seq: z.number().int(),
  ...timedRecordShape,
  /** Set by a `fail-next-restore` fault: the status the job ends in instead of `Completed`. */
  failStatus: z.string().nullable().default(null),
});

/** Schema of the Pinecone simulator's state file. */
export const pineconeStateSchema = z.object({
  version: z.literal(1),
  /** Kept so a restarted demo accepts the key its clients were given. */
  apiKey: z.string(),
  seq: z.number().int(),
  indexes: z.array(storedIndexSchema),
  backups: z.array(storedBackupSchema),
  restoreJobs: z.array(storedRestoreJobSchema),
});

/** An index as stored. */
export type StoredIndex = z.infer<typeof storedIndexSchema>;
/** A backup as stored. */
export type StoredBackup = z.infer<typeof storedBackupSchema>;
/** A restore job as stored. */
export type StoredRestoreJob = z.infer<typeof storedRestoreJobSchema>;
/** The whole persisted simulator state. */
export type PineconeState = z.infer<typeof pineconeStateSchema>;

/** Where every simulated index lives (one project, one cloud region). */
export const SIMULATED_CLOUD = { cloud: "aws", region: "us-east-1" } as const;

/**
 * A backup's status at `now`, or `GONE` once describe answers 404.
 *
 * ASSUMPTION (UNCONFIRMED): whether a "Terminating"-like status is exposed after DELETE
 * is not documented (docs/providers.md §2.4). Here describe keeps answering 200 with the status
 * the backup had for `deleteDurationMs` after the DELETE, then 404.
 */
export function backupStatusAt(backup: StoredBackup, now: number): string {
  if (backup.deletedAt !== null && now >= backup.deletedAt + backup.deleteDurationMs) {
    return "GONE";
  }
  if (now < backup.createdAt + backup.durationMs) return "Initializing";
  return backup.failStatus ?? "Ready";
}

/** The wire BackupModel (docs/providers.md §2.3), rendered at one status. */
export function backupModel(backup: StoredBackup, status: string) {
  const ready = status === "Ready";
  // ASSUMPTION (UNCONFIRMED): counts and size are reported once the backup is Ready only.
  return {
    backup_id: backup.backupId,
    source_index_name: backup.indexName,
    source_index_id: backup.indexId,
    // The documented example responses send null for an absent name or description.
    name: backup.name,
    description: backup.description,
    status,
    ...SIMULATED_CLOUD,
    dimension: 1536,
    metric: "cosine",
    ...(ready
      ? {
          record_count: backup.recordCount,
          namespace_count: backup.namespaceCount,
          size_bytes: backup.sizeBytes,
        }
      : {}),
    tags: null,
    created_at: new Date(backup.createdAt).toISOString(),
  };
}

/**
 * An index's `status.state` at `now`, or `GONE` once describe answers 404.
 *
 * ASSUMPTION (UNCONFIRMED): the documentation gives the states (`Initializing`,
 * `InitializationFailed`, `Terminating`, `Ready`, …) but not which ones an index created from
 * a backup goes through. Here it is `Initializing` while its restore job is pending,
 * `InitializationFailed` when the job failed, then `Ready`; after a DELETE it is
 * `Terminating` for `deleteDurationMs`, then gone.
 */
export function indexStateAt(
  index: StoredIndex,
  jobs: readonly StoredRestoreJob[],
  now: number,
): string {
  if (index.deletedAt !== null) {
    return now >= index.deletedAt + index.deleteDurationMs ? "GONE" : "Terminating";
  }
  if (index.restoreJobId === null) return "Ready";
  const job = jobs.find((candidate) => candidate.restoreJobId === index.restoreJobId);
  if (job === undefined) return "Ready";
  if (isRestorePending(job, now)) return "Initializing";
  return job.failStatus === null ? "Ready" : "InitializationFailed";
}

/** The wire IndexModel, reduced to what a backup client looks at (name, spec, status, tags). */
export function indexModel(index: StoredIndex, state: string) {
  const spec =
    index.kind === "serverless"
      ? { serverless: SIMULATED_CLOUD }
      : { pod: { environment: "us-east-1-aws", pod_type: "p1.x1", pods: 1, replicas: 1 } };
  return {
    name: index.name,
    dimension: 1536,
    metric: "cosine",
    host: `${index.name}-${index.indexId.slice(0, 7)}.svc.aped-4627-b74a.pinecone.io`,
    spec,
    status: { ready: state === "Ready", state },
    deletion_protection: index.deletionProtection,
    ...(index.tags === null ? {} : { tags: index.tags }),
    vector_type: "dense",
  };
}

/** True while a restore job blocks deleting its backup (412). */
export function isRestorePending(job: StoredRestoreJob, now: number): boolean {
  return now < job.createdAt + job.durationMs;
}

/**
 * A restore job's status at `now`: `Pending` until its duration has passed, then
 * `Completed`, or the status a `fail-next-restore` fault gave it.
 *
 * ASSUMPTION (UNCONFIRMED): `status` is a free string; the documentation shows only
 * `Completed`. Whether a running job reads `Pending` or another word (`InProgress`) is not
 * documented: `Pending` here throughout.
 */
export function restoreJobStatusAt(job: StoredRestoreJob, now: number): string {
  if (isRestorePending(job, now)) return "Pending";
  return job.failStatus ?? "Completed";
}

/** How far a job a `fail-next-restore` fault ends had got (percent) when it failed. */
const FAILED_AT_PERCENT = 60;

/**
 * The wire RestoreJobModel. `percent_complete` (optional in the spec, 0–100, a float in
 * the documented example) grows with the clock while pending and is 100 once `Completed`;
 * a failed job stops at {@link FAILED_AT_PERCENT}. `completed_at` is null until it ended.
 */
export function restoreJobModel(job: StoredRestoreJob, now: number) {
  const status = restoreJobStatusAt(job, now);
  const ended = status !== "Pending";
  const share = job.durationMs === 0 ? 1 : Math.min(1, (now - job.createdAt) / job.durationMs);
  const reach = job.failStatus === null ? 100 : FAILED_AT_PERCENT;
  return {
    restore_job_id: job.restoreJobId,
    backup_id: job.backupId,
    target_index_name: job.targetIndexName,
    target_index_id: job.targetIndexId,
    status,
    created_at: new Date(job.createdAt).toISOString(),
    completed_at: ended ? new Date(job.createdAt + job.durationMs).toISOString() : null,
    percent_complete: Math.floor(share * reach * 10) / 10,
  };
}

/** `error.code` per HTTP status, from the documented enum (docs/providers.md §2.2). */
const CODE_OF_STATUS: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  402: "PAYMENT_REQUIRED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "ALREADY_EXISTS",
  412: "FAILED_PRECONDITION",
  422: "UNPROCESSABLE_ENTITY",
  // ASSUMPTION (UNCONFIRMED): the control plane's throttling code is not documented.
  429: "RESOURCE_EXHAUSTED",
  500: "UNKNOWN",
  502: "UNAVAILABLE",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

/** The documented error envelope `{error: {code, message}, status}`. */
export function pineconeErrorBody(status: number, message: string, code?: string) {
  return { error: { code: code ?? CODE_OF_STATUS[status] ?? "UNKNOWN", message }, status };
}

/** An error response in the documented envelope. */
export function pineconeError(status: number, message: string, code?: string): SimResponse {
  return { status, body: pineconeErrorBody(status, message, code) };
}
