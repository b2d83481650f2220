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
]);

/** A target as stored: the spec plus bookkeeping. */
export const Target = TargetSpec.and(
  z.object({ createdAt: z.iso.datetime(), updatedAt: z.iso.datetime(), version: z.number().int() }),
);
export type Target = z.infer<typeof Target>;

/** The body of `POST /v1/targets`: the id is optional (generated when absent). */
export const CreateTargetInput = z.discriminatedUnion("provider", [
  TargetSpec.options[0].partial({ id: true }).strict(),
]);
export type CreateTargetInput = z.infer<typeof CreateTargetInput>;

/** The names of the vendors we support. */
export const ProviderName = z.enum(["zilliz"]);
export type ProviderName = z.infer<typeof ProviderName>;

/**
 * The vendor resource a backup job runs against: the key of the single-flight lease.
 * Two targets on the same cluster share it.
 */
export function resourceKey(target: Pick<Target, "provider" | "resource">): string {
  switch (target.provider) {
    case "zilliz":
      return `zilliz:${target.resource.clusterId}`;
  }
}
