import { randomBytes } from "node:crypto";
import type { FaultTarget } from "./fault-queue.ts";
import { clusterNotFound, type ZillizClusters } from "./zilliz-clusters.ts";
import { DEFAULT_DB_NAME } from "./zilliz-create.ts";
import { ZILLIZ_CODES, type ZillizError, zillizError } from "./zilliz-errors.ts";
import { jobAt, type StoredBackup, type StoredRestore, type ZillizState } from "./zilliz-model.ts";
import {
  parseRestoreClusterBody,
  parseRestoreCollectionBody,
  restoreClusterFailed,
  restoreCollectionFailed,
} from "./zilliz-restore-body.ts";

/** Zilliz-only fault: the next restore job (either kind) created on a matching request FAILS at its end. */
export interface FailNextRestoreFault {
  kind: "fail-next-restore";
  reason: string;
}

/** Success `data` or a Zilliz error. */
type Result<T> = { data: T } | { error: ZillizError };

/** A backup as the service finds it (or the error describing it would answer). */
export type FoundBackup =
  | { error: ZillizError }
  | { backup: StoredBackup; phase: "CREATING" | "AVAILABLE" | "DELETED" };

/** What the restore behaviour depends on. */
export interface RestoreServiceOptions {
  state: ZillizState;
  save(): void;
  now(): number;
  /** Takes the oldest `fail-next-restore` fault matching the request, if any. */
  takeFailure(target: FaultTarget): FailNextRestoreFault | undefined;
  clusters: ZillizClusters;
  /** How long a restore job runs. */
  restoreDurationMs: number;
  /** CUs the organisation may hold in Dedicated clusters; `undefined`: no limit. */
  cuQuota: number | undefined;
  /** Collections (database `default`) of every configured cluster. */
  collections: string[];
  /** The backup `backupId` of `clusterId`, as Describe Backup would find it. */
  findBackup(clusterId: string, backupId: string): FoundBackup;
}

/**
 * The documented cap of a Dedicated cluster in a Standard project: CU size × replicas ≤ 32
 * (zdoc `reference/cli/.../Backup-restorecluster.md`). The simulator's project is Standard.
 */
export const STANDARD_PLAN_MAX_CU = 32;

/** A collection of a cluster, and the restore that last wrote it (absent: never restored). */
export interface ClusterCollection {
  collectionName: string;
  restoredFrom?: { backupId: string; jobId: string };
}

/**
 * Restore Cluster Backup and Restore Collection Backup, free of HTTP. A restore is a job
 * (`type: RESTORE`, same course as a backup job) that runs `restoreDurationMs`: restoreCluster
 * makes a new cluster, CREATING until the job ends, then RUNNING; restoreCollection writes the
 * backup's collections into an existing cluster when the job ends, replacing collections of
 * the same name (ASSUMPTION (UNCONFIRMED): whether the real service replaces or refuses an
 * existing collection of the same name is not documented).
 */
export class ZillizRestores {
  readonly #o: RestoreServiceOptions;

  constructor(options: RestoreServiceOptions) {
    this.#o = options;
  }

  /**
   * Restore Cluster Backup → `{clusterId, username, password, jobId}`. Refused: a backup not
   * AVAILABLE or not a cluster backup (96040), a bad body (96005/96010/96002/96031), a CU size
   * above the Standard plan's cap (96023), a name taken in the project (96017), a CU quota
   * exhausted (96040 "insufficient CU quota"; ASSUMPTION (UNCONFIRMED): no quota code is
   * documented).
   */
  restoreCluster(
    clusterId: string,
    backupId: string,
    body: unknown,
    target: FaultTarget,
  ): Result<{ clusterId: string; username: string; password: string; jobId: string }> {
    const backup = this.#restorable(clusterId, backupId, restoreClusterFailed);
    if ("error" in backup) return backup;
    if (backup.backupType !== "CLUSTER") {
      return {
        error: restoreClusterFailed(
          `backup ${backupId} is a ${backup.backupType} backup; restore its collections with restoreCollection`,
        ),
      };
    }
    const { state, clusters } = this.#o;
    const request = parseRestoreClusterBody(body, state.projectId);
    if ("httpStatus" in request) return { error: request };
    if (request.cuSize > STANDARD_PLAN_MAX_CU) {
      return {
        error: zillizError(
          ZILLIZ_CODES.classNotFound,
          "The specified class does not exist. Please check the cuType, cuSize and plan combination.",
        ),
      };
    }
    const now = this.#o.now();
    if (clusters.all(now).some((c) => c.clusterName === request.clusterName)) {
      return {
        error: zillizError(
          ZILLIZ_CODES.clusterNameExists,
          "The specified cluster name already exists under project.",
        ),
      };
    }
    const { cuQuota } = this.#o;
    if (cuQuota !== undefined && clusters.cuInUse(now) + request.cuSize > cuQuota) {
      return {
        error: restoreClusterFailed(
          `insufficient CU quota: ${clusters.cuInUse(now)} of ${cuQuota} CUs in use, ${request.cuSize} more requested`,
        ),
      };
    }
    const job = this.#newJob(
      "CLUSTER",
      backup,
      newClusterId(),
      DEFAULT_DB_NAME,
      target,
      (name) => ({
        collectionName: name,
        destCollectionName: name,
        destCollectionStatus: request.collectionStatus === "KEEP" ? "LOADED" : "UNLOADED",
      }),
    );
    state.seq += 1;
    state.restoredClusters.push({
      clusterId: job.destClusterId,
      clusterName: request.clusterName,
      projectId: request.projectId,
      cuSize: request.cuSize,
      seq: state.seq,
      createdAt: now,
      restoreJobId: job.jobId,
      deletedAt: null,
    });
    this.#o.save();
    return {
      data: {
        clusterId: job.destClusterId,
        username: "db_admin",
        password: randomBytes(12).toString("base64url"),
        jobId: job.jobId,
      },
    };
  }

  /**
   * Restore Collection Backup → `{jobId}`. `dbCollections` may name the backup's database
   * (`dbName`), the destination database (`destDbName`, only `default` exists here) and at
   * most one collection per group (documented: "restores only one collection at a time");
   * without them every collection of the backup is restored under its own name.
   */
  restoreCollection(
    clusterId: string,
    backupId: string,
    body: unknown,
    target: FaultTarget,
  ): Result<{ jobId: string }> {
    const backup = this.#restorable(clusterId, backupId, restoreCollectionFailed);
    if ("error" in backup) return backup;
    const request = parseRestoreCollectionBody(body);
    if ("httpStatus" in request) return { error: request };
    const dest = this.#o.clusters.find(request.destClusterId, this.#o.now());
    if (dest === undefined) return { error: clusterNotFound() };
    if (dest.plan === "Serverless") {
      return {
        error: zillizError(
          ZILLIZ_CODES.serverlessUnsupported,
          "Serverless cluster does not support this operation.",
        ),
      };
    }
    if (dest.phase !== "RUNNING") {
      return {
        error: restoreCollectionFailed(
          `cluster ${dest.clusterId} is ${dest.phase}, not running; retry when it is RUNNING`,
        ),
      };
    }
    const chosen = this.#chosenCollections(backup, request.groups, dest.clusterId);
    if ("error" in chosen) return chosen;
    const job = this.#newJob(
      "COLLECTION",
      backup,
      dest.clusterId,
      chosen.destDbName,
      target,
      (name) => chosen.collections.get(name)!,
      [...chosen.collections.keys()],
    );
    this.#o.save();
    return { data: { jobId: job.jobId } };
  }

  /** The restore job `jobId`, if there is one. */
  job(jobId: string): StoredRestore | undefined {
    return this.#o.state.restores.find((job) => job.jobId === jobId);
  }

  /**
   * The collections of a cluster at `now`: a configured cluster's own, a restored cluster's
   * from its backup (once RUNNING), then what finished collection restores wrote into it.
   */
  collectionsOf(clusterId: string, now: number): ClusterCollection[] {
    const { state, clusters } = this.#o;
    const cluster = clusters.find(clusterId, now);
    if (cluster === undefined) return [];
    const restored = state.restoredClusters.find((c) => c.clusterId === clusterId);
    const done = (job: StoredRestore) => jobAt(job, now).status === "SUCCESSFUL";
    const origin = restored === undefined ? undefined : this.job(restored.restoreJobId);
    const collections: ClusterCollection[] =
      restored === undefined
        ? this.#o.collections.map((collectionName) => ({ collectionName }))
        : origin === undefined || !done(origin)
          ? []
          : origin.collections.map((c) => ({
              collectionName: c.destCollectionName,
              restoredFrom: { backupId: origin.backupId, jobId: origin.jobId },
            }));
    const writes = state.restores
      .filter((job) => job.kind === "COLLECTION" && job.destClusterId === clusterId && done(job))
      .sort((a, b) => a.createdAt + a.durationMs - (b.createdAt + b.durationMs));
    for (const job of writes) {
      for (const c of job.collections) {
        const entry: ClusterCollection = {
          collectionName: c.destCollectionName,
          restoredFrom: { backupId: job.backupId, jobId: job.jobId },
        };
        const at = collections.findIndex((x) => x.collectionName === c.destCollectionName);
        if (at >= 0) collections[at] = entry;
        else collections.push(entry);
      }
    }
    return collections;
  }

  /** The backup, if it can be restored now; else the error (96019 not found, 96039/96040 not AVAILABLE). */
  #restorable(
    clusterId: string,
    backupId: string,
    failed: (reason: string) => ZillizError,
  ): StoredBackup | { error: ZillizError } {
    const found = this.#o.findBackup(clusterId, backupId);
    if ("error" in found) return found;
    if (found.phase === "DELETED") {
      return {
        error: zillizError(
          ZILLIZ_CODES.backupNotFound,
          `Backup ${backupId} not found in cluster ${clusterId}.`,
        ),
      };
    }
    if (found.phase === "CREATING") {
      // ASSUMPTION (UNCONFIRMED): restoring a backup still being made is refused with the
      // restore's free-text code; the wording is the simulator's.
      return {
        error: failed(
          `backup ${backupId} is not available yet (status CREATING); restore it once its backup job has finished`,
        ),
      };
    }
    return found.backup;
  }

  #chosenCollections(
    backup: StoredBackup,
    groups: Array<{
      dbName?: string;
      destDbName?: string;
      collections?: Array<{
        collectionName: string;
        destCollectionName?: string;
        destCollectionStatus?: string;
      }>;
    }>,
    destClusterId: string,
  ):
    | { error: ZillizError }
    | { destDbName: string; collections: Map<string, StoredRestore["collections"][number]> } {
    const collections = new Map<string, StoredRestore["collections"][number]>();
    const whole = (name: string) => ({
      collectionName: name,
      destCollectionName: name,
      destCollectionStatus: "LOADED" as const,
    });
    let destDbName = backup.dbName;
    for (const group of groups.length === 0 ? [{}] : groups) {
      const {
        dbName = backup.dbName,
        destDbName: dest = backup.dbName,
        collections: items,
      } = group as (typeof groups)[number];
      if (dbName !== backup.dbName) {
        return {
          error: restoreCollectionFailed(
            `database ${dbName} not found in backup ${backup.backupId}`,
          ),
        };
      }
      if (dest !== DEFAULT_DB_NAME) {
        return {
          error: restoreCollectionFailed(`database ${dest} not found in cluster ${destClusterId}`),
        };
      }
      destDbName = dest;
      if (items === undefined || items.length === 0) {
        for (const name of backup.collectionNames) collections.set(name, whole(name));
        continue;
      }
      if (items.length > 1) {
        return {
          error: restoreCollectionFailed(
            "only one collection can be restored at a time; list one collection, or none to restore them all",
          ),
        };
      }
      for (const item of items) {
        if (!backup.collectionNames.includes(item.collectionName)) {
          return {
            error: restoreCollectionFailed(
              `collection ${item.collectionName} not found in backup ${backup.backupId}`,
            ),
          };
        }
        collections.set(item.collectionName, {
          collectionName: item.collectionName,
          destCollectionName: item.destCollectionName ?? item.collectionName,
          destCollectionStatus: item.destCollectionStatus === "UNLOADED" ? "UNLOADED" : "LOADED",
        });
      }
    }
    return { destDbName, collections };
  }

  #newJob(
    kind: StoredRestore["kind"],
    backup: StoredBackup,
    destClusterId: string,
    destDbName: string,
    target: FaultTarget,
    collection: (name: string) => StoredRestore["collections"][number],
    names: string[] = backup.collectionNames,
  ): StoredRestore {
    // Taken only now, so a refused restore does not use up the fault.
    const fault = this.#o.takeFailure(target);
    const job: StoredRestore = {
      jobId: `job-${randomBase36(22)}`,
      kind,
      backupId: backup.backupId,
      sourceClusterId: backup.clusterId,
      destClusterId,
      destDbName,
      collections: names.map(collection),
      createdAt: this.#o.now(),
      durationMs: this.#o.restoreDurationMs,
      failReason: fault?.reason ?? null,
    };
    this.#o.state.restores.push(job);
    return job;
  }
}

/** A realistic Dedicated cluster id: `in01-` and 15 hex digits. */
function newClusterId(): string {
  return `in01-${randomBytes(8).toString("hex").slice(0, 15)}`;
}

function randomBase36(length: number): string {
  const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
  return Array.from(randomBytes(length), (byte) => alphabet[byte % 36]).join("");
}
