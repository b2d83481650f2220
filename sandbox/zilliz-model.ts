import * as z from "zod";
import { deletableRecordShape, timedRecordShape } from "./state-file.ts";

/**
 * Stored Zilliz simulator state. Only creation facts and timestamps are stored: job and
 * backup statuses are derived from them and the clock on every read, so a simulator
 * restarted from its state file continues exactly where it stopped.
 */
const storedBackupSchema = z.object({
  backupId: z.string(),
  backupName: z.string(),
  clusterId: z.string(),
  backupType: z.enum(["CLUSTER", "COLLECTION"]),
  /** `AUTO` only for backups seeded as made by the automatic policy (state files without it: `MANUAL`). */
  creationMethod: z.enum(["MANUAL", "AUTO"]).default("MANUAL"),
  dbName: z.string(),
  collectionNames: z.array(z.string()),
  jobId: z.string(),
  /** Creation order, to keep "newest first" stable for equal timestamps. */
  seq: z.number().int(),
  createdAt: z.number(),
  sizeBytes: z.number().int(),
  ...deletableRecordShape,
});

const storedJobSchema = z.object({
  jobId: z.string(),
  backupId: z.string(),
  clusterId: z.string(),
  ...timedRecordShape,
  /** Set by a `fail-next-job` fault: the job FAILS with this reason at its end time. */
  failReason: z.string().nullable(),
});

/** One collection a restore job writes: its name in the backup, in the destination, its load state. */
const restoredCollectionSchema = z.object({
  collectionName: z.string(),
  destCollectionName: z.string(),
  destCollectionStatus: z.enum(["LOADED", "UNLOADED"]),
});

/**
 * A restore job (Describe Job `type: RESTORE`): restoreCluster builds `destClusterId`, a new
 * cluster; restoreCollection writes `collections` into the existing `destClusterId`.
 */
const storedRestoreSchema = z.object({
  jobId: z.string(),
  kind: z.enum(["CLUSTER", "COLLECTION"]),
  backupId: z.string(),
  sourceClusterId: z.string(),
  destClusterId: z.string(),
  destDbName: z.string(),
  collections: z.array(restoredCollectionSchema),
  ...timedRecordShape,
  /** Set by a `fail-next-restore` fault: the job FAILS with this reason at its end time. */
  failReason: z.string().nullable(),
});

/** A cluster made by restoreCluster; it is CREATING while its restore job runs. */
const storedClusterSchema = z.object({
  clusterId: z.string(),
  clusterName: z.string(),
  projectId: z.string(),
  cuSize: z.number().int(),
  /** Creation order, after the configured clusters. */
  seq: z.number().int(),
  createdAt: z.number(),
  restoreJobId: z.string(),
  /** When Drop Cluster was accepted (`null` while it lives). */
  ...deletableRecordShape,
});

/** Schema of the Zilliz simulator's state file. */
export const zillizStateSchema = z.object({
  version: z.literal(1),
  /** The generated API key, kept so a restarted demo accepts the key its clients were given. */
  apiKey: z.string(),
  projectId: z.string(),
  seq: z.number().int(),
  /** Per-cluster counters behind names such as `Dedicated-01_backup3`. */
  nameCounters: z.record(z.string(), z.number().int()),
  backups: z.array(storedBackupSchema),
  jobs: z.array(storedJobSchema),
  /** Restore jobs (state files without them: none). */
  restores: z.array(storedRestoreSchema).default([]),
  /** Clusters made by restoreCluster (state files without them: none). */
  restoredClusters: z.array(storedClusterSchema).default([]),
  /** When a configured cluster was dropped, by cluster id. */
  clusterDrops: z.record(z.string(), z.number()).default({}),
});

/** A backup as stored. */
export type StoredBackup = z.infer<typeof storedBackupSchema>;
/** A backup job as stored. */
export type StoredJob = z.infer<typeof storedJobSchema>;
/** A restore job as stored. */
export type StoredRestore = z.infer<typeof storedRestoreSchema>;
/** A restored cluster as stored. */
export type StoredCluster = z.infer<typeof storedClusterSchema>;
/** The whole persisted simulator state. */
export type ZillizState = z.infer<typeof zillizStateSchema>;

/** Documented job statuses (`CANCELING` is never produced: there is no cancel API). */
export type JobStatus = "PENDING" | "IN_PROGRESS" | "SUCCESSFUL" | "FAILED";

/**
 * Backup status as the simulator sees it. `GONE` is not a Zilliz value: it means describe
 * answers "not found" (deleted long enough ago, or its creation job failed).
 */
export type BackupPhase = "CREATING" | "AVAILABLE" | "DELETED" | "GONE";

/** Share of the job duration spent PENDING before IN_PROGRESS starts. */
const PENDING_SHARE = 0.1;

/** A job's observable state at `now`. */
export interface JobSnapshot {
  status: JobStatus;
  progress: string;
  endAt: number | null;
}

/**
 * Derives a job's status at `now`: PENDING for the first 10 % of its duration, then
 * IN_PROGRESS with progress "0".."99", then SUCCESSFUL with "100" — or FAILED (progress
 * frozen at "99") when a `fail-next-job` (backup) or `fail-next-restore` fault was attached
 * to it. Backup and restore jobs follow the same course.
 */
export function jobAt(
  job: Pick<StoredJob, "createdAt" | "durationMs" | "failReason">,
  now: number,
): JobSnapshot {
  const endAt = job.createdAt + job.durationMs;
  if (now >= endAt) {
    return job.failReason === null
      ? { status: "SUCCESSFUL", progress: "100", endAt }
      : { status: "FAILED", progress: "99", endAt };
  }
  const startAt = job.createdAt + job.durationMs * PENDING_SHARE;
  if (now < startAt) return { status: "PENDING", progress: "0", endAt: null };
  const share = (now - startAt) / (endAt - startAt);
  const progress = Math.min(99, Math.max(0, Math.floor(share * 100)));
  return { status: "IN_PROGRESS", progress: String(progress), endAt: null };
}

/** True while the job blocks another manual backup on its cluster. */
export function isJobActive(job: StoredJob, now: number): boolean {
  const { status } = jobAt(job, now);
  return status === "PENDING" || status === "IN_PROGRESS";
}

/**
 * Derives a backup's phase at `now`.
 *
 * ASSUMPTION (UNCONFIRMED): the real service's behaviour after a failed backup job is not
 * documented (no FAILED backup status exists). Here the backup disappears: describe answers
 * "not found" and list omits it, while the job keeps reporting FAILED with its reason.
 *
 * ASSUMPTION (UNCONFIRMED): whether delete is synchronous is not documented. Here describe
 * reports DELETED for `deleteDurationMs` after the delete, then "not found"; list omits the
 * backup from the moment of deletion (list only returns AVAILABLE or CREATING backups).
 */
export function backupPhaseAt(
  backup: StoredBackup,
  job: StoredJob | undefined,
  now: number,
  deleteDurationMs: number,
): BackupPhase {
  if (backup.deletedAt !== null) {
    return now < backup.deletedAt + deleteDurationMs ? "DELETED" : "GONE";
  }
  const status = job === undefined ? "SUCCESSFUL" : jobAt(job, now).status;
  if (status === "SUCCESSFUL") return "AVAILABLE";
  return status === "FAILED" ? "GONE" : "CREATING";
}

/**
 * Formats epoch milliseconds the way Zilliz documents timestamps: `2024-07-30T16:49:50Z`
 * (UTC, whole seconds).
 */
export function zillizTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * A cluster's status as the simulator sees it. `GONE` is not a Zilliz value: Describe
 * Cluster answers 96018 (dropped long enough ago, or its restore job failed).
 */
export type ClusterPhase = "CREATING" | "RUNNING" | "DELETING" | "GONE";

/**
 * Derives a cluster's phase at `now`: CREATING while the restore job that builds it runs,
 * then RUNNING; DELETING for `deleteDurationMs` after a drop, then gone.
 *
 * ASSUMPTION (UNCONFIRMED): what becomes of the new cluster when its restore job fails is
 * not documented; here it disappears at the job's end (the job keeps its FAILED reason).
 * ASSUMPTION (UNCONFIRMED): how long a dropped cluster shows DELETING is not documented.
 *
 * @param restoreJob - the job that builds it (`undefined` for a configured cluster)
 * @param droppedAt - when Drop Cluster was accepted, or `null`
 */
export function clusterPhaseAt(
  restoreJob: StoredRestore | undefined,
  droppedAt: number | null,
  now: number,
  deleteDurationMs: number,
): ClusterPhase {
  if (droppedAt !== null) return now < droppedAt + deleteDurationMs ? "DELETING" : "GONE";
  const status = restoreJob === undefined ? "SUCCESSFUL" : jobAt(restoreJob, now).status;
  if (status === "SUCCESSFUL") return "RUNNING";
  return status === "FAILED" ? "GONE" : "CREATING";
}
