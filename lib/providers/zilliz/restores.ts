import * as z from "zod";
import { ProviderError } from "../../core/provider-error.ts";
import { ZillizClusterDestination, ZillizCollectionDestination } from "../../core/restore.ts";
import type { TargetOf } from "../../core/target.ts";
import { listingTooLong, pathSegment, type VendorRequest } from "../http.ts";
import type {
  BackupRef,
  RestoredResource,
  RestoreRef,
  RestoreState,
  VendorRestores,
} from "../port.ts";
import { CLUSTER_NOT_FOUND, JOB_NOT_FOUND } from "./errors.ts";

/** What the restores need of the adapter: its classified, rate-limited requests. */
export interface ZillizClient {
  /** Sends a request and parses its `data` with `schema` (classified errors otherwise). */
  data<T>(request: VendorRequest, schema: z.ZodType<T>, what: string): Promise<T>;
  /** Vendor text made safe to keep (secrets scrubbed, at most `max` characters). */
  text(text: string, max?: number): string;
}

const BackupData = z.object({
  backupId: z.string(),
  status: z.string(),
  backupType: z.string().nullish(),
  /** Flat (`[{collectionName}]`) in the v2 example; grouped by database in newer pages. */
  collections: z
    .array(
      z.union([
        z.object({ collectionName: z.string() }),
        z.object({
          dbName: z.string().nullish(),
          collections: z.array(z.object({ collectionName: z.string() })),
        }),
      ]),
    )
    .nullish(),
});
const ClusterData = z.object({
  clusterId: z.string(),
  clusterName: z.string(),
  projectId: z.string().nullish(),
  plan: z.string().nullish(),
  status: z.string(),
});
const ClusterList = z.object({ count: z.number(), clusters: z.array(ClusterData) });
/** The password the vendor sends with a new cluster is not read, so it is never kept. */
const RestoreClusterData = z.object({ clusterId: z.string(), jobId: z.string().nullish() });
const RestoreCollectionData = z.object({ jobId: z.string() });
const JobData = z.object({
  jobId: z.string(),
  status: z.string(),
  progress: z.union([z.string(), z.number()]).nullish(),
  reason: z.string().nullish(),
});

/** Restore job statuses (Describe Job) onto ours; anything else is RUNNING. */
const JOB_STATUS: Record<string, RestoreState["status"]> = {
  PENDING: "RUNNING",
  IN_PROGRESS: "RUNNING",
  CANCELING: "RUNNING",
  SUCCESSFUL: "RESTORED",
  FAILED: "FAILED",
  CANCELED: "FAILED",
  CANCELLED: "FAILED",
};

/**
 * The documented cap of a Dedicated cluster in a Standard project (CU size × replicas ≤ 32;
 * the restored cluster has one replica). An Enterprise project's (1,024) is above any
 * destination's `cuSize`.
 */
const STANDARD_PLAN_MAX_CU = 32;

/** Documented rule of 96010: cluster names are letters, digits and hyphens. */
const CLUSTER_NAME = /^[A-Za-z0-9-]+$/;

/** Characters of our restore id carried in a restored cluster's name. */
const TAG_LENGTH = 10;

/** The most list pages `find` reads (100 clusters each). */
const MAX_CLUSTER_PAGES = 100;

/** The most characters of collection names a preview summary spends. */
const SUMMARY_NAMES = 600;

/**
 * The name of the cluster a restore creates: the destination's `clusterName`, a hyphen and
 * the last {@link TAG_LENGTH} letters and digits of our restore id (`restore-drill` and
 * `rs_01jd3xk5t9q2abcdefgh` give `restore-drill-q2abcdefgh`). Zilliz keeps nothing else of
 * ours on a cluster (Restore Cluster Backup takes no label or description), so the name is
 * what `find` recognises our restore by — and why a cluster merely named `clusterName` is
 * never taken for ours, nor dropped as ours (docs/providers.md §1.7).
 */
export function restoredClusterName(clusterName: string, restoreId: string): string {
  const tag = restoreId
    .replace(/^rs_/, "")
    .replace(/[^A-Za-z0-9]/g, "")
    .slice(-TAG_LENGTH)
    .toLowerCase();
  if (tag.length === 0) throw invalid(`restore id ${restoreId} has no letters or digits`);
  return `${clusterName}-${tag}`;
}

/**
 * Zilliz Cloud restores (docs/providers.md §1.7): a cluster backup into a new cluster
 * (`restoreCluster`, `created: true`), a collection backup's collections into an existing
 * cluster (`restoreCollection`, `created: false`). The restore is a job (`GET /v2/jobs/{id}`);
 * the cluster is what `describe` and `deleteCreated` work on.
 */
export class ZillizRestores implements VendorRestores {
  readonly #client: ZillizClient;
  readonly #target: TargetOf<"zilliz">;

  constructor(client: ZillizClient, target: TargetOf<"zilliz">) {
    this.#client = client;
    this.#target = target;
  }

  async preview(
    backup: BackupRef,
    destination: Record<string, unknown>,
  ): Promise<{ overwrites?: { resourceId: string; summary: string } }> {
    const described = await this.#restorableBackup(backup);
    const dest = this.#destination(destination);
    if (dest.kind === "cluster") {
      if (described.backupType && described.backupType !== "CLUSTER") {
        throw invalid(
          `backup ${backup.backupId} is a ${described.backupType} backup: only a cluster backup restores into a new cluster`,
        );
      }
      checkClusterName(dest.value.clusterName);
      const source = await this.#cluster(this.#target.resource.clusterId);
      const sameProject =
        dest.value.projectId === undefined || dest.value.projectId === source.projectId;
      if (sameProject && source.plan === "Standard" && dest.value.cuSize > STANDARD_PLAN_MAX_CU) {
        throw invalid(
          `cuSize ${dest.value.cuSize} is above the ${STANDARD_PLAN_MAX_CU} CUs a cluster of a Standard project may have`,
        );
      }
      return {};
    }
    const cluster = await this.#cluster(dest.value.clusterId);
    if (cluster.plan === "Free" || cluster.plan === "Serverless") {
      throw invalid(
        `cluster ${cluster.clusterId} is ${cluster.plan}: collections restore into Dedicated clusters only`,
      );
    }
    if (cluster.status !== "RUNNING") {
      throw new ProviderError({
        cls: "CONFLICT",
        provider: "zilliz",
        message: `cluster ${cluster.clusterId} is ${this.#client.text(cluster.status)}, not RUNNING`,
      });
    }
    return {
      overwrites: {
        resourceId: cluster.clusterId,
        summary: this.#overwriteSummary(backup, described, dest.value.dbName, cluster),
      },
    };
  }

  async start(request: {
    restoreId: string;
    backup: BackupRef;
    destination: Record<string, unknown>;
  }): Promise<{ ref: RestoreRef; state: RestoreState }> {
    const { backup, restoreId } = request;
    const dest = this.#destination(request.destination);
    const path = `${backupPath(backup)}/${dest.kind === "cluster" ? "restoreCluster" : "restoreCollection"}`;
    if (dest.kind === "cluster") {
      const projectId =
        dest.value.projectId ?? (await this.#cluster(this.#target.resource.clusterId)).projectId;
      if (!projectId) throw unexpected("the source cluster's description has no projectId");
      const data = await this.#client.data(
        {
          method: "POST",
          path,
          body: {
            // The reference names it `projectId`, the guide `targetProjectId`: both are sent.
            projectId,
            targetProjectId: projectId,
            clusterName: restoredClusterName(dest.value.clusterName, restoreId),
            cuSize: dest.value.cuSize,
            collectionStatus: "KEEP",
          },
        },
        RestoreClusterData,
        "restore-cluster response",
      );
      return {
        ref: { jobId: data.jobId ?? "", resourceId: data.clusterId, created: true },
        state: { status: "RUNNING", providerStatus: "PENDING" },
      };
    }
    const { clusterId, dbName } = dest.value;
    const sourceDb =
      this.#target.resource.scope.type === "COLLECTION"
        ? (this.#target.resource.scope.dbName ?? "default")
        : "default";
    const data = await this.#client.data(
      {
        method: "POST",
        path,
        body: {
          destClusterId: clusterId,
          // Without collections, every collection of the backup is restored.
          ...(dbName ? { dbCollections: [{ dbName: sourceDb, destDbName: dbName }] } : {}),
        },
      },
      RestoreCollectionData,
      "restore-collection response",
    );
    return {
      ref: { jobId: data.jobId, resourceId: clusterId, created: false },
      state: { status: "RUNNING", providerStatus: "PENDING" },
    };
  }

  async status(ref: RestoreRef): Promise<RestoreState> {
    if (!ref.jobId) return this.#statusOfCluster(ref);
    let job: z.infer<typeof JobData>;
    try {
      job = await this.#client.data(
        { method: "GET", path: `/v2/jobs/${pathSegment("zilliz", "job id", ref.jobId)}` },
        JobData,
        "job",
      );
    } catch (error) {
      if (isCode(error, JOB_NOT_FOUND)) {
        return {
          status: "FAILED",
          providerStatus: "job NOT_FOUND",
          failureReason: `Zilliz no longer knows restore job ${ref.jobId}`,
        };
      }
      throw error;
    }
    const status = JOB_STATUS[job.status] ?? "RUNNING";
    const progress = Number(job.progress);
    return {
      status,
      providerStatus: `job ${this.#client.text(job.status)}`,
      ...(job.progress !== null && job.progress !== undefined && Number.isFinite(progress)
        ? { progress }
        : {}),
      ...(status === "FAILED"
        ? { failureReason: this.#client.text(job.reason || `job ${job.status}`) }
        : {}),
    };
  }

  async describe(ref: RestoreRef): Promise<RestoredResource> {
    const cluster = await this.#clusterOrGone(ref.resourceId);
    if (cluster === undefined || cluster.status === "DELETED") {
      return { exists: false, healthy: false, providerStatus: cluster?.status ?? "NOT_FOUND" };
    }
    return {
      exists: true,
      healthy: cluster.status === "RUNNING",
      providerStatus: this.#client.text(cluster.status),
    };
  }

  async deleteCreated(ref: RestoreRef): Promise<{ status: "DELETED" | "DELETING" }> {
    if (!ref.created) {
      throw invalid(
        `cluster ${ref.resourceId} existed before the restore (its collections were restored into it): it is never dropped`,
      );
    }
    if (ref.resourceId === this.#target.resource.clusterId) {
      throw invalid(`cluster ${ref.resourceId} is the target's own cluster: it is never dropped`);
    }
    try {
      await this.#client.data(
        { method: "DELETE", path: `${clusterPath(ref.resourceId)}/drop` },
        z.unknown(),
        "drop-cluster response",
      );
    } catch (error) {
      if (isCode(error, CLUSTER_NOT_FOUND)) return { status: "DELETED" };
      throw error;
    }
    const cluster = await this.#clusterOrGone(ref.resourceId);
    return {
      status: cluster === undefined || cluster.status === "DELETED" ? "DELETED" : "DELETING",
    };
  }

  /**
   * A new cluster of ours: the cluster named {@link restoredClusterName} in the destination's
   * project (the source cluster's when none is given), from List Clusters. Its job cannot be
   * found again (no endpoint lists jobs), so the ref has `jobId: ""` and `status` follows the
   * cluster instead. A collection restore leaves nothing of ours to find: `undefined`.
   */
  async find(
    restoreId: string,
    destination: Record<string, unknown>,
  ): Promise<RestoreRef | undefined> {
    const dest = this.#destination(destination);
    if (dest.kind === "collection") return undefined;
    const name = restoredClusterName(dest.value.clusterName, restoreId);
    const projectId =
      dest.value.projectId ?? (await this.#cluster(this.#target.resource.clusterId)).projectId;
    for (let page = 1; ; page++) {
      if (page > MAX_CLUSTER_PAGES) {
        throw listingTooLong("zilliz", "cluster list", `${MAX_CLUSTER_PAGES * 100} clusters`);
      }
      const data = await this.#client.data(
        { method: "GET", path: "/v2/clusters", query: { pageSize: 100, currentPage: page } },
        ClusterList,
        "cluster list",
      );
      const ours = data.clusters.find(
        (c) =>
          c.clusterName === name &&
          (!projectId || !c.projectId || c.projectId === projectId) &&
          c.status !== "DELETED" &&
          c.status !== "DELETING",
      );
      if (ours) return { jobId: "", resourceId: ours.clusterId, created: true };
      if (data.clusters.length < 100 || page * 100 >= data.count) return undefined;
    }
  }

  /** Without a job: the new cluster's state (CREATING runs, RUNNING is restored, gone failed). */
  async #statusOfCluster(ref: RestoreRef): Promise<RestoreState> {
    const cluster = await this.#clusterOrGone(ref.resourceId);
    if (cluster === undefined || cluster.status === "DELETED" || cluster.status === "DELETING") {
      const providerStatus = cluster?.status ?? "NOT_FOUND";
      return {
        status: "FAILED",
        providerStatus: `cluster ${providerStatus}`,
        failureReason: `cluster ${ref.resourceId} is ${providerStatus}`,
      };
    }
    const providerStatus = `cluster ${this.#client.text(cluster.status)}`;
    if (cluster.status === "RUNNING") return { status: "RESTORED", providerStatus };
    if (cluster.status === "ABNORMAL") {
      return {
        status: "FAILED",
        providerStatus,
        failureReason: `cluster ${ref.resourceId} is ABNORMAL`,
      };
    }
    return { status: "RUNNING", providerStatus };
  }

  /** Describe Backup; only an AVAILABLE backup restores (a building one is a CONFLICT). */
  async #restorableBackup(backup: BackupRef): Promise<z.infer<typeof BackupData>> {
    const described = await this.#client.data(
      { method: "GET", path: backupPath(backup) },
      BackupData,
      "backup",
    );
    if (described.status === "AVAILABLE") return described;
    if (described.status === "DELETED") {
      throw new ProviderError({
        cls: "NOT_FOUND",
        provider: "zilliz",
        message: `backup ${backup.backupId} is deleted`,
      });
    }
    throw new ProviderError({
      cls: "CONFLICT",
      provider: "zilliz",
      message: `backup ${backup.backupId} is ${this.#client.text(described.status)}: only an AVAILABLE backup can be restored`,
    });
  }

  #overwriteSummary(
    backup: BackupRef,
    described: z.infer<typeof BackupData>,
    dbName: string | undefined,
    cluster: z.infer<typeof ClusterData>,
  ): string {
    const names = (described.collections ?? []).flatMap((item) =>
      "collectionName" in item
        ? [item.collectionName]
        : item.collections.map((c) => c.collectionName),
    );
    let listed = "";
    let shown = 0;
    for (const name of names) {
      const next = listed ? `${listed}, ${name}` : name;
      if (next.length > SUMMARY_NAMES) break;
      listed = next;
      shown += 1;
    }
    const more = names.length > shown ? ` and ${names.length - shown} more` : "";
    const what = names.length === 0 ? "every collection" : `collections ${listed}${more}`;
    const db = dbName ? `database ${dbName}` : "the backup's database";
    return this.#client.text(
      `Restores ${what} of backup ${backup.backupId} into ${db} of cluster ${cluster.clusterName} (${cluster.clusterId}), replacing any collection there of the same name.`,
      1000,
    );
  }

  #destination(
    destination: Record<string, unknown>,
  ):
    | { kind: "cluster"; value: z.infer<typeof ZillizClusterDestination> }
    | { kind: "collection"; value: z.infer<typeof ZillizCollectionDestination> } {
    const scope = this.#target.resource.scope.type;
    const parsed =
      scope === "COLLECTION"
        ? ZillizCollectionDestination.safeParse(destination)
        : ZillizClusterDestination.safeParse(destination);
    if (!parsed.success) {
      throw invalid(
        `not a Zilliz ${scope === "COLLECTION" ? "collection" : "cluster"} restore destination`,
      );
    }
    return scope === "COLLECTION"
      ? { kind: "collection", value: parsed.data as z.infer<typeof ZillizCollectionDestination> }
      : { kind: "cluster", value: parsed.data as z.infer<typeof ZillizClusterDestination> };
  }

  #cluster(clusterId: string): Promise<z.infer<typeof ClusterData>> {
    return this.#client.data(
      { method: "GET", path: clusterPath(clusterId) },
      ClusterData,
      "cluster",
    );
  }

  async #clusterOrGone(clusterId: string): Promise<z.infer<typeof ClusterData> | undefined> {
    try {
      return await this.#cluster(clusterId);
    } catch (error) {
      if (isCode(error, CLUSTER_NOT_FOUND)) return undefined;
      throw error;
    }
  }
}

/** Refuses a name Zilliz would (96010), before anything is asked of it. */
function checkClusterName(clusterName: string): void {
  if (!CLUSTER_NAME.test(clusterName)) {
    throw invalid(`cluster name ${clusterName}: Zilliz allows letters, digits and hyphens only`);
  }
}

function backupPath(backup: BackupRef): string {
  return `${clusterPath(backup.resourceId)}/backups/${pathSegment("zilliz", "backup id", backup.backupId)}`;
}

function clusterPath(clusterId: string): string {
  return `/v2/clusters/${pathSegment("zilliz", "cluster id", clusterId)}`;
}

function isCode(error: unknown, code: number): boolean {
  return error instanceof ProviderError && error.providerCode === String(code);
}

function invalid(message: string): ProviderError {
  return new ProviderError({ cls: "INVALID", provider: "zilliz", message });
}

function unexpected(message: string): ProviderError {
  return new ProviderError({ cls: "UNKNOWN", provider: "zilliz", message });
}
