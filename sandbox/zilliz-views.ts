import {
  type BackupPhase,
  type ClusterPhase,
  jobAt,
  type StoredBackup,
  type StoredJob,
  zillizTime,
} from "./zilliz-model.ts";

/** Where the simulated clusters live; one region and one project for the whole simulator. */
export const SIMULATED_REGION = "aws-us-west-2";

/** Facts about the simulator needed to render responses. */
export interface ViewContext {
  projectId: string;
  clusterName: (clusterId: string) => string;
}

/** `data` of Describe Backup. */
export interface BackupDetail {
  clusterId: string;
  clusterName: string;
  projectId: string;
  backupId: string;
  backupName: string;
  backupType: "CLUSTER" | "COLLECTION";
  creationMethod: "MANUAL" | "AUTO";
  status: Exclude<BackupPhase, "GONE">;
  size: number;
  regionId: string;
  expireTime: string;
  collections: Array<{ collectionName: string; description: string; status: "LOADED" }>;
  createTime: string;
}

/** One item of List Backups: the describe fields minus `collections` and `regionId`. */
export type BackupListItem = Omit<BackupDetail, "collections" | "regionId">;

/**
 * Renders a backup the way Describe Backup does.
 *
 * ASSUMPTION (UNCONFIRMED): manual backups never expire, yet the documented `expireTime` is
 * a string; the simulator sends `""` for them. `size` is 0 until the backup is AVAILABLE.
 * Collection descriptions are `""` and every collection is reported LOADED.
 */
export function backupDetail(
  backup: StoredBackup,
  status: Exclude<BackupPhase, "GONE">,
  context: ViewContext,
): BackupDetail {
  return {
    clusterId: backup.clusterId,
    clusterName: context.clusterName(backup.clusterId),
    projectId: context.projectId,
    backupId: backup.backupId,
    backupName: backup.backupName,
    backupType: backup.backupType,
    creationMethod: backup.creationMethod,
    status,
    size: status === "CREATING" ? 0 : backup.sizeBytes,
    regionId: SIMULATED_REGION,
    expireTime: "",
    collections: backup.collectionNames.map((collectionName) => ({
      collectionName,
      description: "",
      status: "LOADED",
    })),
    createTime: zillizTime(backup.createdAt),
  };
}

/** Renders a backup the way List Backups does. */
export function backupListItem(
  backup: StoredBackup,
  status: "CREATING" | "AVAILABLE",
  context: ViewContext,
): BackupListItem {
  const {
    collections: _collections,
    regionId: _regionId,
    ...item
  } = backupDetail(backup, status, context);
  return item;
}

/** `data` of Describe Job. */
export interface JobDetail {
  jobId: string;
  type: "BACKUP" | "RESTORE";
  status: string;
  progress: string;
  startTime: string;
  endTime: string;
  reason: string;
}

/**
 * Renders a job the way Describe Job does.
 *
 * ASSUMPTION (UNCONFIRMED): `startTime` is the submission time (also while PENDING);
 * `endTime` and `reason` are `""` until the job ends (the documented success example
 * shows `reason: ""`).
 */
export function jobDetail(
  job: Pick<StoredJob, "jobId" | "createdAt" | "durationMs" | "failReason">,
  now: number,
  type: JobDetail["type"] = "BACKUP",
): JobDetail {
  const snapshot = jobAt(job, now);
  return {
    jobId: job.jobId,
    type,
    status: snapshot.status,
    progress: snapshot.progress,
    startTime: zillizTime(job.createdAt),
    endTime: snapshot.endAt === null ? "" : zillizTime(snapshot.endAt),
    reason: snapshot.status === "FAILED" ? (job.failReason ?? "") : "",
  };
}

/** What the simulator knows of one cluster, configured or restored. */
export interface ClusterFacts {
  clusterId: string;
  clusterName: string;
  projectId: string;
  plan: "Standard" | "Serverless";
  cuSize: number;
  createdAt: number;
  phase: Exclude<ClusterPhase, "GONE">;
  /** Percent of a restore's new cluster built (100 for every other cluster). */
  createProgress: number;
  snapshotNumber: number;
}

/** `data` of Describe Cluster (the documented fields). */
export interface ClusterDetail {
  clusterId: string;
  clusterName: string;
  projectId: string;
  description: string;
  regionId: string;
  cuType: string;
  plan: ClusterFacts["plan"];
  status: ClusterFacts["phase"];
  connectAddress: string;
  privateLinkAddress: string;
  createTime: string;
  cuSize: number;
  storageSize: number;
  snapshotNumber: number;
  createProgress: number;
}

/** One item of List Clusters: Describe Cluster without the storage and progress figures. */
export type ClusterListItem = Omit<
  ClusterDetail,
  "storageSize" | "snapshotNumber" | "createProgress"
>;

/**
 * Renders a cluster the way Describe Cluster does (documented example "dedicated").
 * ASSUMPTION (UNCONFIRMED): `storageSize` is always 0 here (its unit is not documented).
 */
export function clusterDetail(cluster: ClusterFacts): ClusterDetail {
  const dedicated = cluster.plan !== "Serverless";
  return {
    clusterId: cluster.clusterId,
    clusterName: cluster.clusterName,
    projectId: cluster.projectId,
    description: "",
    regionId: SIMULATED_REGION,
    cuType: dedicated ? "Performance-optimized" : "",
    plan: cluster.plan,
    status: cluster.phase,
    connectAddress: `https://${cluster.clusterId}.${SIMULATED_REGION}.vectordb.zillizcloud.com:19530`,
    privateLinkAddress: "",
    createTime: zillizTime(cluster.createdAt),
    cuSize: dedicated ? cluster.cuSize : 0,
    storageSize: 0,
    snapshotNumber: cluster.snapshotNumber,
    createProgress: cluster.createProgress,
  };
}

/** Renders a cluster the way List Clusters does (its documented example's fields). */
export function clusterListItem(cluster: ClusterFacts): ClusterListItem {
  const {
    storageSize: _storageSize,
    snapshotNumber: _snapshotNumber,
    createProgress: _createProgress,
    ...item
  } = clusterDetail(cluster);
  return item;
}
