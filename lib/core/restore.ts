import * as z from "zod";
import type { Target } from "./target.ts";

/*
 * Restores: a backup written back to a vendor resource, tracked like a backup. A restore
 * goes into a resource it creates (a new Pinecone index, Zilliz cluster, TaurusDB
 * instance), or over an existing one (DCS, Zilliz collections, TaurusDB in place) — the
 * latter only with a confirmation token from a preview (lib/usecases/restores.ts).
 */

/** PENDING → RESTORING → RESTORED | RESTORE_FAILED. */
export const RestoreStatus = z.enum(["PENDING", "RESTORING", "RESTORED", "RESTORE_FAILED"]);
export type RestoreStatus = z.infer<typeof RestoreStatus>;

/** Settled: nothing moves it any more. */
export const SETTLED_RESTORE = new Set<RestoreStatus>(["RESTORED", "RESTORE_FAILED"]);

/** A Pinecone index name (as `PineconeResource`'s). */
const PINECONE_INDEX = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,43}[a-z0-9])?$/, "a Pinecone index name: 1-45 of a-z0-9 and '-'");
const HUAWEI_INSTANCE_ID = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, "a Huawei instance id");
const ZILLIZ_CLUSTER_ID = z
  .string()
  .regex(/^[A-Za-z0-9-]{1,64}$/, "a Zilliz cluster id such as in01-abc123");

/** Pinecone: always a new index, created from the backup (docs/providers.md §2). */
export const PineconeDestination = z
  .object({
    indexName: PINECONE_INDEX,
    deletionProtection: z.enum(["enabled", "disabled"]).optional(),
  })
  .strict();

/** Zilliz, a cluster backup: a new cluster (docs/providers.md §1). */
export const ZillizClusterDestination = z
  .object({
    clusterName: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "1-64 of A-Za-z0-9, '_' and '-'"),
    cuSize: z.number().int().min(1).max(256),
    /** The project of the new cluster; the source cluster's when absent. */
    projectId: z.string().min(1).max(64).optional(),
  })
  .strict();

/** Zilliz, a collection backup: its collections into an existing cluster (overwrites). */
export const ZillizCollectionDestination = z
  .object({
    clusterId: ZILLIZ_CLUSTER_ID,
    /** The database the collections go into; the backup's when absent. */
    dbName: z.string().min(1).max(255).optional(),
  })
  .strict();

/**
 * TaurusDB: a new instance named `instanceName` (shaped as the source: flavour, network),
 * or over the existing `instanceId` (its data replaced). Exactly one of the two. A new
 * instance's root password is random and never kept: whoever uses the instance resets it
 * (a drill's scratch instance is never logged into).
 */
export const TaurusDbDestination = z
  .object({
    instanceName: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_-]{3,63}$/, "4-64 of A-Za-z0-9, '_' and '-', a letter first")
      .optional(),
    instanceId: HUAWEI_INSTANCE_ID.optional(),
    /** A new instance's flavour; the source instance's when absent. */
    flavorRef: z.string().min(1).max(128).optional(),
  })
  .strict()
  .refine((d) => (d.instanceName === undefined) !== (d.instanceId === undefined), {
    message: "give either instanceName (a new instance) or instanceId (an existing one)",
  })
  .refine((d) => d.instanceId === undefined || !d.flavorRef, {
    message: "flavorRef is for a new instance (instanceName)",
  });

/** DCS: always into an existing instance, whose data the backup replaces. */
export const DcsDestination = z
  .object({
    instanceId: HUAWEI_INSTANCE_ID,
    /** Shown with the restore record at Huawei. */
    remark: z.string().max(128).optional(),
  })
  .strict();

/** The destination a restore of `target`'s backup takes (its schema depends on the vendor and, for Zilliz, the backup's kind). */
export function destinationSchema(target: Pick<Target, "provider" | "resource">): z.ZodType {
  switch (target.provider) {
    case "pinecone":
      return PineconeDestination;
    case "zilliz":
      return (target.resource as { scope?: { type?: string } }).scope?.type === "COLLECTION"
        ? ZillizCollectionDestination
        : ZillizClusterDestination;
    case "huawei-taurusdb":
      return TaurusDbDestination;
    case "huawei-dcs":
      return DcsDestination;
  }
}

/** A destination, validated against {@link destinationSchema} for its target. */
export type RestoreDestination = Record<string, unknown>;

export const RestoreError = z.object({
  code: z.string(),
  class: z.string(),
  message: z.string(),
  at: z.iso.datetime(),
});

/** What a restore over an existing resource replaces, as the vendor's preview said. */
export const RestoreOverwrite = z.object({
  resourceId: z.string(),
  /** In words, for the preview, the CLI prompt and the record. */
  summary: z.string().max(1000),
});
export type RestoreOverwrite = z.infer<typeof RestoreOverwrite>;

/** One restore as we track it. */
export const RestoreRecord = z.object({
  id: z.string(),
  backupId: z.string(),
  targetId: z.string(),
  provider: z.string(),
  status: RestoreStatus,
  destination: z.record(z.string(), z.unknown()),
  /** Present when the restore writes over an existing resource. */
  overwrites: RestoreOverwrite.optional(),
  /** The vendor's restore job. */
  providerJobId: z.string().optional(),
  /** The resource written to (the new one's id once the vendor named it, or the existing one). */
  providerResourceId: z.string().optional(),
  /** Whether that resource is one this restore created (the only kind a drill deletes). */
  createdResource: z.boolean().optional(),
  providerStatus: z.string().optional(),
  progress: z.number().min(0).max(100).optional(),
  requestedBy: z.string().max(300),
  /** The drill this restore is part of. */
  drillId: z.string().optional(),
  /**
   * A drill's own facts: the policy that asked for it, its caps, and whether what it
   * created is torn down yet (a drill only ever deletes the resource it created).
   */
  drill: z
    .object({
      policyId: z.string(),
      maxResourceHours: z.number().positive(),
      /** Size units of the scratch resource (Zilliz CUs; 1 elsewhere), for resource-hours. */
      units: z.number().positive(),
      teardown: z.enum(["PENDING", "DONE"]),
      /** What the check found, once it ran. */
      checked: z.string().max(1000).optional(),
    })
    .optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  startedAt: z.iso.datetime().optional(),
  completedAt: z.iso.datetime().optional(),
  /** Not RESTORED by then: RESTORE_FAILED as timed out. */
  deadlineAt: z.iso.datetime(),
  history: z.array(z.object({ at: z.iso.datetime(), status: RestoreStatus, cause: z.string() })),
  lastError: RestoreError.optional(),
  version: z.number().int().nonnegative(),
});
export type RestoreRecord = z.infer<typeof RestoreRecord>;
