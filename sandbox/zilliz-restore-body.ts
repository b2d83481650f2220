import * as z from "zod";
import { ZILLIZ_CODES, type ZillizError, zillizError } from "./zilliz-errors.ts";

/**
 * The request bodies of Restore Cluster Backup and Restore Collection Backup, checked the
 * way the documented error codes suggest (docs/providers.md §1.7).
 */

/** What a valid Restore Cluster Backup body asks for. */
export interface RestoreClusterRequest {
  projectId: string;
  clusterName: string;
  cuSize: number;
  collectionStatus: "KEEP" | "RELEASE";
}

/** Documented rule of 96010: letters, digits and hyphens. ASSUMPTION (UNCONFIRMED): at most 64. */
export const CLUSTER_NAME_PATTERN = /^[A-Za-z0-9-]{1,64}$/;

/**
 * Validates a Restore Cluster Backup body. The project is `projectId` (the published
 * reference) or `targetProjectId` (the guide and the older reference): either is accepted,
 * and it must be the simulator's one project (else 96005).
 *
 * @param projectId - the simulator's project
 */
export function parseRestoreClusterBody(
  body: unknown,
  projectId: string,
): RestoreClusterRequest | ZillizError {
  const fields = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const project = fields.projectId ?? fields.targetProjectId;
  if (project !== projectId) {
    return zillizError(
      ZILLIZ_CODES.projectIdInvalid,
      "Invalid projectId. The projectId should be like proj-xxxxxxxx. Please use the ListProjects API to obtain your scoped projects.",
    );
  }
  const { clusterName, cuSize, collectionStatus } = fields;
  if (typeof clusterName !== "string" || !CLUSTER_NAME_PATTERN.test(clusterName)) {
    return zillizError(
      ZILLIZ_CODES.clusterNameInvalid,
      "Invalid clusterName. Cluster names can only contain alphanumeric letters and hyphens.",
    );
  }
  if (typeof cuSize !== "number" || !Number.isInteger(cuSize) || cuSize < 1 || cuSize > 256) {
    return zillizError(
      ZILLIZ_CODES.cuSizeInvalid,
      "Invalid cuSize. The parameter value should be positive.",
    );
  }
  if (collectionStatus !== "KEEP" && collectionStatus !== "RELEASE") {
    return zillizError(
      ZILLIZ_CODES.collectionStatusInvalid,
      "Invalid backup restore policy. The value of 'collectionStatus' should be KEEP or RELEASE.",
    );
  }
  return { projectId, clusterName, cuSize, collectionStatus };
}

const collectionItemSchema = z.object({
  collectionName: z.string().min(1),
  destCollectionName: z.string().min(1).optional(),
  destCollectionStatus: z.string().optional(),
});

const dbCollectionsSchema = z.array(
  z.object({
    dbName: z.string().min(1).optional(),
    destDbName: z.string().min(1).optional(),
    collections: z.array(collectionItemSchema).optional(),
  }),
);

/** What a valid Restore Collection Backup body asks for (before it is checked against the backup). */
export interface RestoreCollectionRequest {
  destClusterId: string;
  groups: z.infer<typeof dbCollectionsSchema>;
}

/**
 * Validates the shape of a Restore Collection Backup body: `destClusterId` (required, else
 * 96036) and the optional `dbCollections` groups, whose `destCollectionStatus` is LOADED or
 * UNLOADED (else 96037). Whether the named databases and collections exist is the
 * service's check.
 */
export function parseRestoreCollectionBody(body: unknown): RestoreCollectionRequest | ZillizError {
  const fields = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const { destClusterId } = fields;
  if (typeof destClusterId !== "string" || destClusterId.length === 0) {
    return zillizError(ZILLIZ_CODES.clusterIdInvalid, "Invalid clusterId.");
  }
  const groups = dbCollectionsSchema.safeParse(fields.dbCollections ?? []);
  if (!groups.success) {
    return restoreCollectionFailed(
      "dbCollections must be a list of {dbName?, destDbName?, collections?: [{collectionName, destCollectionName?, destCollectionStatus?}]}",
    );
  }
  const statuses = groups.data.flatMap((group) =>
    (group.collections ?? []).map((item) => item.destCollectionStatus),
  );
  if (statuses.some((s) => s !== undefined && s !== "LOADED" && s !== "UNLOADED")) {
    return zillizError(
      ZILLIZ_CODES.targetCollectionStatusInvalid,
      "Invalid targetCollectionStatus. The value should be LOADED or UNLOADED.",
    );
  }
  return { destClusterId, groups: groups.data };
}

/** 96039 with the documented prefix. */
export function restoreCollectionFailed(reason: string): ZillizError {
  return zillizError(
    ZILLIZ_CODES.restoreCollectionFailed,
    `Failed to restore collection backup. ${reason}`,
  );
}

/** 96040 with the documented prefix. */
export function restoreClusterFailed(reason: string): ZillizError {
  return zillizError(
    ZILLIZ_CODES.restoreClusterFailed,
    `Failed to restore cluster backup. ${reason}`,
  );
}
