import { queryValue, wholeNumber } from "./query.ts";
import { ZILLIZ_CODES, type ZillizError, zillizError } from "./zilliz-errors.ts";
import { clusterPhaseAt, type ZillizState } from "./zilliz-model.ts";
import {
  type ClusterDetail,
  type ClusterFacts,
  type ClusterListItem,
  clusterDetail,
  clusterListItem,
} from "./zilliz-views.ts";

/** Success `data` or a Zilliz error (as the service's results). */
type Result<T> = { data: T } | { error: ZillizError };

/** What the cluster registry reads: the state, the clock and the configured clusters. */
export interface ClusterRegistryOptions {
  state: ZillizState;
  save(): void;
  now(): number;
  deleteDurationMs: number;
  /** Dedicated clusters configured at start (each of {@link CONFIGURED_CU_SIZE} CU). */
  clusters: string[];
  serverlessClusters: string[];
}

/** CU size of every configured Dedicated cluster. */
export const CONFIGURED_CU_SIZE = 1;

/** Creation time shown for configured clusters (the documented Describe Cluster example's). */
const CONFIGURED_CREATED_AT = Date.parse("2024-06-30T16:34:09Z");

/** The documented prompt of Drop Cluster. */
const DROP_PROMPT =
  "The cluster has been deleted. If you consider this action to be an error, you have the option to restore the deleted cluster from the recycle bin within a 30-day period. Kindly note, this recovery feature does not apply to free clusters.";

/**
 * Every cluster of the simulated organisation: the configured Dedicated and Serverless
 * ones, and those restoreCluster made. One project holds them all; names are unique in it.
 */
export class ZillizClusters {
  readonly #o: ClusterRegistryOptions;

  constructor(options: ClusterRegistryOptions) {
    this.#o = options;
  }

  /** The clusters that exist at `now` (not gone): configured Dedicated, Serverless, restored. */
  all(now: number): ClusterFacts[] {
    const { state, clusters, serverlessClusters } = this.#o;
    const snapshots = new Map<string, number>();
    for (const backup of state.backups) {
      if (backup.deletedAt === null) {
        snapshots.set(backup.clusterId, (snapshots.get(backup.clusterId) ?? 0) + 1);
      }
    }
    const ids = [
      ...clusters,
      ...serverlessClusters,
      ...state.restoredClusters.map((cluster) => cluster.clusterId),
    ];
    return ids.flatMap((id) => this.#facts(id, now, snapshots.get(id) ?? 0) ?? []);
  }

  /**
   * The cluster `clusterId` at `now`, unless it does not exist (or no longer). Its
   * `snapshotNumber` is not counted (0): this runs on every backup request.
   */
  find(clusterId: string, now: number): ClusterFacts | undefined {
    return this.#facts(clusterId, now, 0);
  }

  #facts(clusterId: string, now: number, snapshotNumber: number): ClusterFacts | undefined {
    const { state, clusters, serverlessClusters } = this.#o;
    const restored = state.restoredClusters.find((c) => c.clusterId === clusterId);
    if (restored !== undefined) {
      const job = state.restores.find((candidate) => candidate.jobId === restored.restoreJobId);
      const phase = clusterPhaseAt(job, restored.deletedAt, now, this.#o.deleteDurationMs);
      if (phase === "GONE") return undefined;
      const share = job === undefined ? 1 : (now - job.createdAt) / Math.max(1, job.durationMs);
      return {
        clusterId,
        clusterName: restored.clusterName,
        projectId: restored.projectId,
        plan: "Standard",
        cuSize: restored.cuSize,
        createdAt: restored.createdAt,
        phase,
        createProgress: phase === "CREATING" ? Math.min(99, Math.floor(share * 100)) : 100,
        snapshotNumber,
      };
    }
    const serverless = serverlessClusters.includes(clusterId);
    if (!serverless && !clusters.includes(clusterId)) return undefined;
    const dropped = state.clusterDrops[clusterId] ?? null;
    const phase = clusterPhaseAt(undefined, dropped, now, this.#o.deleteDurationMs);
    if (phase === "GONE") return undefined;
    return {
      clusterId,
      clusterName: this.nameOf(clusterId),
      projectId: state.projectId,
      plan: serverless ? "Serverless" : "Standard",
      cuSize: CONFIGURED_CU_SIZE,
      createdAt: CONFIGURED_CREATED_AT,
      phase,
      createProgress: 100,
      snapshotNumber,
    };
  }

  /** The name of a cluster, gone or not (backup views name the cluster they were made of). */
  nameOf(clusterId: string): string {
    const { clusters, serverlessClusters, state } = this.#o;
    const dedicated = clusters.indexOf(clusterId);
    if (dedicated >= 0) return numbered("Dedicated", dedicated);
    const serverless = serverlessClusters.indexOf(clusterId);
    if (serverless >= 0) return numbered("Serverless", serverless);
    return state.restoredClusters.find((c) => c.clusterId === clusterId)?.clusterName ?? clusterId;
  }

  /** CUs held at `now` by Dedicated clusters that exist (creating and deleting ones included). */
  cuInUse(now: number): number {
    return this.all(now)
      .filter((cluster) => cluster.plan !== "Serverless")
      .reduce((sum, cluster) => sum + cluster.cuSize, 0);
  }

  /** Describe Cluster. */
  describe(clusterId: string): Result<ClusterDetail> {
    const snapshots = this.#o.state.backups.filter(
      (backup) => backup.clusterId === clusterId && backup.deletedAt === null,
    ).length;
    const cluster = this.#facts(clusterId, this.#o.now(), snapshots);
    return cluster === undefined ? { error: clusterNotFound() } : { data: clusterDetail(cluster) };
  }

  /**
   * List Clusters: every cluster of the key's organisation, in creation order, `pageSize`
   * 1–100 (default 10, documented) and `currentPage` from 1.
   *
   * ASSUMPTION (UNCONFIRMED): the documented schema says `data` is an array, the documented
   * example an object `{count, currentPage, pageSize, clusters}`; the simulator answers the
   * example's shape (which the vendor's Terraform client also reads). The order is not
   * documented either.
   */
  list(query: URLSearchParams): Result<{
    count: number;
    currentPage: number;
    pageSize: number;
    clusters: ClusterListItem[];
  }> {
    const pageSize = wholeNumber(queryValue(query, "pageSize"), 10);
    if (pageSize === undefined || pageSize < 1 || pageSize > 100) {
      return {
        error: zillizError(
          ZILLIZ_CODES.pageSizeInvalid,
          "The parameter value for pageSize should be between 1 and 100.",
        ),
      };
    }
    const currentPage = wholeNumber(queryValue(query, "currentPage"), 1);
    if (currentPage === undefined || currentPage < 1) {
      return {
        error: zillizError(
          ZILLIZ_CODES.currentPageInvalid,
          "The parameter currentPage should have a value between 1 and the maximum value of Int.",
        ),
      };
    }
    const clusters = this.all(this.#o.now());
    const start = (currentPage - 1) * pageSize;
    return {
      data: {
        count: clusters.length,
        currentPage,
        pageSize,
        clusters: clusters.slice(start, start + pageSize).map(clusterListItem),
      },
    };
  }

  /**
   * Drop Cluster: the cluster shows DELETING for `deleteDurationMs`, then it is gone (96018).
   * Dropping a cluster already DELETING is accepted again. ASSUMPTION (UNCONFIRMED): the
   * documented answer says nothing of the delay; the recycle bin is not simulated.
   */
  drop(clusterId: string): Result<{ clusterId: string; prompt: string }> {
    const now = this.#o.now();
    const cluster = this.find(clusterId, now);
    if (cluster === undefined) return { error: clusterNotFound() };
    if (cluster.phase !== "DELETING") {
      const { state } = this.#o;
      const restored = state.restoredClusters.find((c) => c.clusterId === clusterId);
      if (restored !== undefined) restored.deletedAt = now;
      else state.clusterDrops[clusterId] = now;
      this.#o.save();
    }
    return { data: { clusterId, prompt: DROP_PROMPT } };
  }
}

/** The documented 96018. */
export function clusterNotFound(): ZillizError {
  return zillizError(
    ZILLIZ_CODES.clusterNotFound,
    "Cluster not found. Please use the ListClusters API to obtain your scoped clusters.",
  );
}

/** `Dedicated-01`, `Serverless-02`: the names the documented examples use. */
function numbered(prefix: string, index: number): string {
  return `${prefix}-${String(index + 1).padStart(2, "0")}`;
}
