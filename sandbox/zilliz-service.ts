import { randomBytes, randomInt } from "node:crypto";
import * as z from "zod";
import type { FaultTarget } from "./fault-queue.ts";
import type { SimulatorContext } from "./simulator.ts";
import type { BackupSeeder, InventoryEntry, SeedResult } from "./vendor-hooks.ts";
import { ZillizClusters } from "./zilliz-clusters.ts";
import { type BackupScope, DEFAULT_DB_NAME, parseCreateBody } from "./zilliz-create.ts";
import {
  JOB_IN_PROGRESS_MESSAGE,
  ZILLIZ_CODES,
  type ZillizError,
  zillizError,
} from "./zilliz-errors.ts";
import { matchesListQuery, newestFirst, parseListQuery } from "./zilliz-list.ts";
import {
  backupPhaseAt,
  isJobActive,
  type StoredBackup,
  type StoredJob,
  type ZillizState,
} from "./zilliz-model.ts";
import { type FailNextRestoreFault, ZillizRestores } from "./zilliz-restores.ts";
import {
  type BackupDetail,
  type BackupListItem,
  backupDetail,
  backupListItem,
  type JobDetail,
  jobDetail,
  type ViewContext,
} from "./zilliz-views.ts";

/** Zilliz-only fault: the next backup job created on a matching request FAILS at its end. */
export interface FailNextJobFault {
  kind: "fail-next-job";
  reason: string;
}

/** The Zilliz simulator's own fault kinds. */
export type ZillizFault = FailNextJobFault | FailNextRestoreFault;

/** Everything the Zilliz behaviour depends on: the simulator context, timings and clusters. */
export interface ZillizServiceOptions extends SimulatorContext<ZillizState, ZillizFault> {
  clusters: string[];
  serverlessClusters: string[];
  collections: string[];
  /** How long a restore job runs. */
  restoreDurationMs: number;
  /** CUs the organisation may hold in Dedicated clusters; `undefined`: no limit. */
  cuQuota: number | undefined;
}

/** Body of `POST /__sandbox/backups` (and input of `sim.seedBackup`) on the Zilliz simulator. */
export const zillizSeedSchema = z.strictObject({
  clusterId: z.string().min(1),
  creationMethod: z.enum(["MANUAL", "AUTO"]).default("MANUAL"),
  /** `COLLECTION` backs up the first collection of the cluster. */
  backupType: z.enum(["CLUSTER", "COLLECTION"]).default("CLUSTER"),
});

/** Success `data` or a Zilliz error. */
export type ZillizResult<T> = { data: T } | { error: ZillizError };

/**
 * The Zilliz Cloud backup and job behaviour, free of HTTP: each method is one documented
 * operation and returns its `data` or the error the real service documents (or, where the
 * docs are silent, the assumption recorded next to the code).
 */
export class ZillizService {
  readonly #options: ZillizServiceOptions;
  readonly #view: ViewContext;
  /** Every cluster (configured, restored, dropped): Describe, List and Drop Cluster. */
  readonly clusters: ZillizClusters;
  /** Restore Cluster Backup and Restore Collection Backup. */
  readonly restores: ZillizRestores;
  /** Creates AVAILABLE backups directly in the model (`POST /__sandbox/backups`). */
  readonly seeder: BackupSeeder<typeof zillizSeedSchema> = {
    schema: zillizSeedSchema,
    seed: (input) => this.#seed(input),
  };

  /** @param options - clusters, timings, clock, state and its save hook, fault queue */
  constructor(options: ZillizServiceOptions) {
    this.#options = options;
    this.clusters = new ZillizClusters(options);
    this.restores = new ZillizRestores({
      ...options,
      clusters: this.clusters,
      takeFailure: (target) => options.faults.take("fail-next-restore", target),
      findBackup: (clusterId, backupId) => this.#findBackup(clusterId, backupId),
    });
    this.#view = {
      projectId: options.state.projectId,
      clusterName: (clusterId) => this.#clusterName(clusterId),
    };
  }

  /** Create Backup. Only one manual backup job may be PENDING or IN_PROGRESS per cluster. */
  createBackup(
    clusterId: string,
    body: unknown,
    target: FaultTarget,
  ): ZillizResult<{ backupId: string; backupName: string; jobId: string }> {
    const clusterError = this.#checkCluster(clusterId);
    if (clusterError !== undefined) return { error: clusterError };
    const scope = parseCreateBody(body, this.#options.collections);
    if ("httpStatus" in scope) return { error: scope };
    const state = this.#options.state;
    const now = this.#options.now();
    const busy = state.jobs.some((job) => job.clusterId === clusterId && isJobActive(job, now));
    if (busy) {
      // ASSUMPTION (UNCONFIRMED): the code for "a manual job is already pending/running" is
      // not documented; 96038 ("failed to create backup: %s") with this message is used.
      return { error: zillizError(ZILLIZ_CODES.createBackupFailed, JOB_IN_PROGRESS_MESSAGE) };
    }
    const backup = this.#newBackup(clusterId, scope, now, "MANUAL");
    // Taken only now, so a rejected create does not use up the fault.
    const fault = this.#options.faults.take("fail-next-job", target);
    state.backups.push(backup);
    state.jobs.push({
      jobId: backup.jobId,
      backupId: backup.backupId,
      clusterId,
      createdAt: now,
      durationMs: this.#options.jobDurationMs,
      failReason: fault?.reason ?? null,
    });
    this.#options.save();
    return {
      data: { backupId: backup.backupId, backupName: backup.backupName, jobId: backup.jobId },
    };
  }

  /** Describe Backup: CREATING, AVAILABLE, or DELETED for a while after a delete. */
  describeBackup(clusterId: string, backupId: string): ZillizResult<BackupDetail> {
    const found = this.#findBackup(clusterId, backupId);
    if ("error" in found) return { error: found.error };
    return { data: backupDetail(found.backup, found.phase, this.#view) };
  }

  /** List Backups: only AVAILABLE or CREATING backups, newest first, `count` = all matches. */
  listBackups(params: URLSearchParams): ZillizResult<{
    count: number;
    currentPage: number;
    pageSize: number;
    backups: BackupListItem[];
  }> {
    const query = parseListQuery(params);
    if ("httpStatus" in query) return { error: query };
    const state = this.#options.state;
    const now = this.#options.now();
    const visible = state.backups
      .filter((backup) => matchesListQuery(backup, state.projectId, query))
      .flatMap((backup) => {
        const phase = this.#phase(backup, now);
        return phase === "CREATING" || phase === "AVAILABLE" ? [{ backup, phase }] : [];
      })
      .sort((a, b) => newestFirst(a.backup, b.backup));
    const start = (query.currentPage - 1) * query.pageSize;
    // ASSUMPTION (UNCONFIRMED): `count` is documented as "the total number of backups
    // returned"; the simulator reports all matches across pages, which is what paging needs.
    return {
      data: {
        count: visible.length,
        currentPage: query.currentPage,
        pageSize: query.pageSize,
        backups: visible
          .slice(start, start + query.pageSize)
          .map(({ backup, phase }) => backupListItem(backup, phase, this.#view)),
      },
    };
  }

  /** Delete Backup: AVAILABLE backups only; gone or unknown backups answer "not found". */
  deleteBackup(
    clusterId: string,
    backupId: string,
  ): ZillizResult<{ backupId: string; backupName: string }> {
    const found = this.#findBackup(clusterId, backupId);
    if ("error" in found) return { error: found.error };
    if (found.phase === "DELETED") return { error: backupNotFound(clusterId, backupId) };
    if (found.phase === "CREATING") {
      // ASSUMPTION (UNCONFIRMED): deleting a CREATING backup is refused, not used as a cancel.
      const message = `failed to delete backup: backup ${backupId} is still being created, delete it after its backup job has finished`;
      return { error: zillizError(ZILLIZ_CODES.deleteBackupFailed, message) };
    }
    found.backup.deletedAt = this.#options.now();
    this.#options.save();
    return { data: { backupId, backupName: found.backup.backupName } };
  }

  /** Describe Job: backup jobs (`type: BACKUP`) and restore jobs (`type: RESTORE`). */
  describeJob(jobId: string): ZillizResult<JobDetail> {
    const now = this.#options.now();
    const job = this.#options.state.jobs.find((candidate) => candidate.jobId === jobId);
    if (job !== undefined) return { data: jobDetail(job, now) };
    const restore = this.restores.job(jobId);
    if (restore !== undefined) return { data: jobDetail(restore, now, "RESTORE") };
    return { error: zillizError(ZILLIZ_CODES.jobNotFound, `Job ${jobId} not found.`) };
  }

  /** The backups the service still has now (CREATING or AVAILABLE), oldest first. */
  inventory(): InventoryEntry[] {
    const now = this.#options.now();
    return this.#options.state.backups.flatMap((backup) => {
      const phase = this.#phase(backup, now);
      if (phase !== "CREATING" && phase !== "AVAILABLE") return [];
      const entry: InventoryEntry = {
        vendor: "zilliz",
        backupId: backup.backupId,
        resourceId: backup.clusterId,
        label: "",
        status: phase,
        automatic: backup.creationMethod === "AUTO",
        createdAt: backup.createdAt,
      };
      return [entry];
    });
  }

  /** Everything the simulator knows, rendered at the current time (for `GET /__sandbox/state`). */
  dump(now: number): unknown {
    const { state } = this.#options;
    return {
      now: new Date(now).toISOString(),
      projectId: state.projectId,
      clusters: this.#options.clusters,
      serverlessClusters: this.#options.serverlessClusters,
      clusterDetails: this.clusters.all(now).map((cluster) => ({
        ...cluster,
        collections: this.restores.collectionsOf(cluster.clusterId, now),
      })),
      backups: state.backups.map((backup) => ({ ...backup, phase: this.#phase(backup, now) })),
      jobs: state.jobs.map((job) => jobDetail(job, now)),
      restores: state.restores.map((job) => ({ ...job, ...jobDetail(job, now, "RESTORE") })),
    };
  }

  /**
   * A backup that is AVAILABLE at once: it has no job (so it blocks nothing) and may be
   * AUTO, which backups made through the API never are.
   */
  #seed(input: z.output<typeof zillizSeedSchema>): SeedResult {
    const clusterError = this.#checkCluster(input.clusterId);
    if (clusterError?.code === ZILLIZ_CODES.clusterNotFound) {
      return { status: 404, message: `cluster ${input.clusterId} not found` };
    }
    if (clusterError !== undefined) {
      return { status: 409, message: `cluster ${input.clusterId} is Serverless: no backups` };
    }
    const { collections } = this.#options;
    if (input.backupType === "COLLECTION" && collections[0] === undefined) {
      return { status: 409, message: `cluster ${input.clusterId} has no collection to back up` };
    }
    const scope: BackupScope = {
      backupType: input.backupType,
      dbName: DEFAULT_DB_NAME,
      collectionNames: input.backupType === "CLUSTER" ? [...collections] : [collections[0]!],
    };
    const backup = this.#newBackup(
      input.clusterId,
      scope,
      this.#options.now(),
      input.creationMethod,
    );
    this.#options.state.backups.push(backup);
    this.#options.save();
    return { backupId: backup.backupId };
  }

  /** Names follow the documented examples: `Dedicated-01_backup2`, `medium_articles_backup4`. */
  #newBackup(
    clusterId: string,
    scope: BackupScope,
    now: number,
    creationMethod: StoredBackup["creationMethod"],
  ): StoredBackup {
    const state = this.#options.state;
    const counter = (state.nameCounters[clusterId] ?? 0) + 1;
    state.nameCounters[clusterId] = counter;
    state.seq += 1;
    const namePrefix =
      scope.backupType === "CLUSTER" ? this.#clusterName(clusterId) : scope.collectionNames[0];
    return {
      backupId: `backup${randomInt(0, 16)}_${randomBytes(8).toString("hex").slice(0, 15)}`,
      backupName: `${namePrefix}_backup${counter}`,
      clusterId,
      backupType: scope.backupType,
      creationMethod,
      dbName: scope.dbName,
      collectionNames: scope.collectionNames,
      jobId: `job-${randomBase36(22)}`,
      seq: state.seq,
      createdAt: now,
      sizeBytes: plausibleSize(scope.collectionNames.length),
      deletedAt: null,
    };
  }

  #findBackup(
    clusterId: string,
    backupId: string,
  ):
    | { error: ZillizError }
    | { backup: StoredBackup; phase: "CREATING" | "AVAILABLE" | "DELETED" } {
    const clusterError = this.#checkCluster(clusterId);
    if (clusterError !== undefined) return { error: clusterError };
    const backup = this.#options.state.backups.find(
      (candidate) => candidate.backupId === backupId && candidate.clusterId === clusterId,
    );
    const phase = backup === undefined ? "GONE" : this.#phase(backup, this.#options.now());
    if (backup === undefined || phase === "GONE") {
      return { error: backupNotFound(clusterId, backupId) };
    }
    return { backup, phase };
  }

  #phase(backup: StoredBackup, now: number) {
    const job: StoredJob | undefined = this.#options.state.jobs.find(
      (candidate) => candidate.jobId === backup.jobId,
    );
    return backupPhaseAt(backup, job, now, this.#options.deleteDurationMs);
  }

  /** A cluster that backups can be made of, listed or restored from: one that exists, Dedicated. */
  #checkCluster(clusterId: string): ZillizError | undefined {
    const cluster = this.clusters.find(clusterId, this.#options.now());
    if (cluster?.plan === "Serverless") {
      return zillizError(
        ZILLIZ_CODES.serverlessUnsupported,
        "This operation is not supported for Serverless clusters.",
      );
    }
    if (cluster === undefined) {
      return zillizError(ZILLIZ_CODES.clusterNotFound, `Cluster ${clusterId} not found.`);
    }
    return undefined;
  }

  #clusterName(clusterId: string): string {
    return this.clusters.nameOf(clusterId);
  }
}

function backupNotFound(clusterId: string, backupId: string): ZillizError {
  return zillizError(
    ZILLIZ_CODES.backupNotFound,
    `Backup ${backupId} not found in cluster ${clusterId}.`,
  );
}

function randomBase36(length: number): string {
  const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
  return Array.from(randomBytes(length), (byte) => alphabet[byte % 36]).join("");
}

/** 40 MB – 2 GB per collection: large enough to look real, small enough to be cheap. */
function plausibleSize(collections: number): number {
  return Math.max(1, collections) * randomInt(40 * 2 ** 20, 2 * 2 ** 30);
}
