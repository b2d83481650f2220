import * as z from "zod";
import { ID_PATTERN } from "./ids.ts";

/** Tags are small labels used by policy selectors and Slack routing. */
export const Tags = z
  .record(
    z.string().regex(/^[A-Za-z0-9_.:/-]{1,64}$/, "tag keys are 1-64 of A-Za-z0-9_.:/-"),
    z.string().max(256),
  )
  .refine((t) => Object.keys(t).length <= 50, "at most 50 tags");

/** What to back up on a Zilliz Cloud Dedicated cluster (providers.md §1.3). */
export const ZillizResource = z.object({
  clusterId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, "a Zilliz cluster id such as in01-abc123"),
  /** Control-plane base URL; defaults to the global site. Checked against allowed hosts. */
  baseUrl: z.url().optional(),
  scope: z
    .discriminatedUnion("type", [
      z.object({ type: z.literal("CLUSTER") }),
      z.object({
        type: z.literal("COLLECTION"),
        dbName: z.string().min(1).max(255).optional(),
        collections: z.array(z.string().min(1).max(255)).min(1).max(100),
      }),
    ])
    .default({ type: "CLUSTER" }),
});
export type ZillizResource = z.infer<typeof ZillizResource>;

/** A Pinecone serverless index (providers.md §2). */
export const PineconeResource = z
  .object({
    indexName: z
      .string()
      .regex(
        /^[a-z0-9]([a-z0-9-]{0,43}[a-z0-9])?$/,
        "a Pinecone index name: 1-45 of a-z0-9 and '-'",
      ),
    /** Control-plane base URL; defaults to https://api.pinecone.io. */
    baseUrl: z.url().optional(),
  })
  .strict();
export type PineconeResource = z.infer<typeof PineconeResource>;

/** Where a Huawei Cloud instance lives (providers.md §3.2, §4.1). */
const huaweiLocation = {
  region: z.string().regex(/^[a-z]{2}-[a-z]+-\d+$/, "a Huawei region id such as ap-southeast-1"),
  projectId: z.string().regex(/^[0-9a-f]{32}$/, "a Huawei project id (32 hex characters)"),
  instanceId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, "a Huawei instance id"),
  /** Regional endpoint; derived from the region when absent. */
  baseUrl: z.url().optional(),
};

/** A Huawei Cloud TaurusDB (GaussDB for MySQL) instance (providers.md §3). */
export const TaurusDbResource = z.object(huaweiLocation).strict();
export type TaurusDbResource = z.infer<typeof TaurusDbResource>;

/** A Huawei Cloud DCS (Redis) instance (providers.md §4). */
export const DcsResource = z
  .object({
    ...huaweiLocation,
    /** v2 is current; v1.0 is the historical API some regions still use. */
    apiVersion: z.enum(["v2", "v1.0"]).default("v2"),
    backupFormat: z.enum(["rdb", "aof"]).optional(),
  })
  .strict();
export type DcsResource = z.infer<typeof DcsResource>;

/** Fields every target has, whatever the vendor. */
const targetCommon = {
  id: z.string().regex(ID_PATTERN, "lower-case letters, digits, '-' and '_', at most 63"),
  name: z.string().min(1).max(200),
  /** Name of the secret holding the vendor credentials (never the credentials). */
  secretRef: z.string().regex(/^[A-Za-z0-9/_+=.@-]{1,256}$/, "a secret name"),
  tags: Tags.default({}),
  /** A backup still not AVAILABLE after this long is failed as timed out. */
  completionWindowMinutes: z
    .number()
    .int()
    .min(5)
    .max(7 * 24 * 60)
    .default(360),
};

/** Per-vendor target shapes; adding a vendor adds one member here. */
export const TargetSpec = z.discriminatedUnion("provider", [
  z.object({ ...targetCommon, provider: z.literal("zilliz"), resource: ZillizResource }),
  z.object({ ...targetCommon, provider: z.literal("pinecone"), resource: PineconeResource }),
  z.object({ ...targetCommon, provider: z.literal("huawei-taurusdb"), resource: TaurusDbResource }),
  z.object({ ...targetCommon, provider: z.literal("huawei-dcs"), resource: DcsResource }),
]);

/** A target as stored: the spec plus bookkeeping. */
export const Target = TargetSpec.and(
  z.object({
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    version: z.number().int(),
    /** Set when the target was deleted with `backups=expire`: it stays until they are gone. */
    retiredAt: z.iso.datetime().optional(),
  }),
);
export type Target = z.infer<typeof Target>;

/** The body of `POST /v1/targets`: the id is optional (generated when absent). */
export const CreateTargetInput = z.discriminatedUnion("provider", [
  TargetSpec.options[0].partial({ id: true }).strict(),
  TargetSpec.options[1].partial({ id: true }).strict(),
  TargetSpec.options[2].partial({ id: true }).strict(),
  TargetSpec.options[3].partial({ id: true }).strict(),
]);
export type CreateTargetInput = z.infer<typeof CreateTargetInput>;

/** The body of `PUT /v1/targets/{id}`: the whole spec but the id (the vendor cannot change). */
export const UpdateTargetInput = z.discriminatedUnion("provider", [
  TargetSpec.options[0].omit({ id: true }).strict(),
  TargetSpec.options[1].omit({ id: true }).strict(),
  TargetSpec.options[2].omit({ id: true }).strict(),
  TargetSpec.options[3].omit({ id: true }).strict(),
]);
export type UpdateTargetInput = z.infer<typeof UpdateTargetInput>;

/** The names of the vendors we support. */
export const ProviderName = z.enum(["zilliz", "pinecone", "huawei-taurusdb", "huawei-dcs"]);
export type ProviderName = z.infer<typeof ProviderName>;

/** A target of one vendor. */
export type TargetOf<P extends ProviderName> = Extract<Target, { provider: P }>;

/** The vendor and resource of a target, still discriminated by vendor. */
export type TargetResource = {
  [P in ProviderName]: Pick<TargetOf<P>, "provider" | "resource">;
}[ProviderName];

/**
 * The vendor resource a backup job runs against: the key of the single-flight lease.
 * Two targets on the same cluster share it.
 */
export function resourceKey(target: TargetResource): string {
  switch (target.provider) {
    case "zilliz":
      return `zilliz:${target.resource.clusterId}`;
    case "pinecone":
      return `pinecone:${target.resource.indexName}`;
    case "huawei-taurusdb":
    case "huawei-dcs":
      return `${target.provider}:${target.resource.region}:${target.resource.instanceId}`;
  }
}
