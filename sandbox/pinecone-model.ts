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

/** The wire IndexModel, reduced to what a backup client looks at (name, spec, status). */
export function indexModel(index: StoredIndex) {
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
    status: { ready: true, state: "Ready" },
    deletion_protection: "disabled",
    vector_type: "dense",
  };
}

/** True while a restore job blocks deleting its backup (412). */
export function isRestorePending(job: StoredRestoreJob, now: number): boolean {
  return now < job.createdAt + job.durationMs;
}

/**
 * The wire RestoreJobModel: `Pending` until its duration has passed, then `Completed`
 * with `completed_at` and `percent_complete: 100` (absent while pending, docs/providers.md §2.3).
 */
export function restoreJobModel(job: StoredRestoreJob, now: number) {
  const pending = isRestorePending(job, now);
  return {
    restore_job_id: job.restoreJobId,
    backup_id: job.backupId,
    target_index_name: job.targetIndexName,
    target_index_id: job.targetIndexId,
    status: pending ? "Pending" : "Completed",
    created_at: new Date(job.createdAt).toISOString(),
    completed_at: pending ? null : new Date(job.createdAt + job.durationMs).toISOString(),
    ...(pending ? {} : { percent_complete: 100 }),
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
