import * as z from "zod";
import { Duration } from "./duration.ts";
import { ID_PATTERN } from "./ids.ts";
import { PROVIDER_NAMES, type ProviderName, VENDORS } from "./vendors.ts";

export type { ProviderName } from "./vendors.ts";

/** The name of a secret (Secrets Manager's characters), as targets and policies name them. */
export const SecretRef = z.string().regex(/^[A-Za-z0-9/_+=.@-]{1,256}$/, "a secret name");

/**
 * Keys no tag may have: the names an object's prototype answers to. `constructor` makes
 * the DynamoDB marshaller take the tags for a class instance, `__proto__` vanishes in
 * parsing; refused with a clear 400 rather than stored wrong or failing as a 500.
 */
const RESERVED_TAG_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), "prototype"]);

const TAG_KEY = /^[A-Za-z0-9_.:/-]{1,64}$/;

/** Tags are small labels used by policy selectors and Slack routing. */
export const Tags = z.preprocess(
  (value, ctx) => {
    // Keys are checked before parsing, each with its own message: a record schema
    // silently drops an own `__proto__` key and says only "Invalid key in record".
    if (typeof value === "object" && value !== null)
      for (const key of Object.keys(value)) {
        const wrong = RESERVED_TAG_KEYS.has(key)
          ? "is reserved"
          : TAG_KEY.test(key)
            ? undefined
            : "must be 1-64 of A-Za-z0-9_.:/-";
        if (wrong)
          ctx.issues.push({
            code: "custom",
            input: value,
            path: [key],
            message: `tag key ${JSON.stringify(key.slice(0, 64))} ${wrong}`,
          });
      }
    return value;
  },
  z
    .record(z.string().regex(TAG_KEY), z.string().max(256))
    .refine((t) => Object.keys(t).length <= 50, "at most 50 tags"),
);

/** Fields every target has, whatever the vendor. */
const targetCommon = {
  id: z.string().regex(ID_PATTERN, "lower-case letters, digits, '-' and '_', at most 63"),
  name: z.string().min(1).max(200),
  /** Name of the secret holding the vendor credentials (never the credentials). */
  secretRef: SecretRef,
  tags: Tags.default({}),
  /** A backup still not AVAILABLE after this long is failed as timed out. */
  completionWindowMinutes: z
    .number()
    .int()
    .min(5)
    .max(7 * 24 * 60)
    .default(360),
  /**
   * The freshness objective (RPO): the newest AVAILABLE backup must be younger than this
   * (`26h`, `30m`), whatever covers the target; breaches are announced once, and once
   * more on recovery (lib/usecases/compliance.ts). Absent: its policies' tightest `rpo`.
   */
  rpo: Duration().optional(),
};

/** One vendor's target shape: the common fields, its name, its resource. */
function specOf<P extends ProviderName>(provider: P) {
  return z.object({
    ...targetCommon,
    provider: z.literal(provider),
    resource: VENDORS[provider].resource as (typeof VENDORS)[P]["resource"],
  });
}
type SpecOf = { [P in ProviderName]: ReturnType<typeof specOf<P>> }[ProviderName];

/** Per-vendor target shapes, one per entry of the vendor table (core/vendors.ts). */
export const TargetSpec = z.discriminatedUnion(
  "provider",
  PROVIDER_NAMES.map((p) => specOf(p)) as [SpecOf, ...SpecOf[]],
);

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

/** One vendor's `POST /v1/targets` body: the id is optional (generated when absent). */
function createOf<P extends ProviderName>(provider: P) {
  return specOf(provider).partial({ id: true }).strict();
}
type CreateOf = { [P in ProviderName]: ReturnType<typeof createOf<P>> }[ProviderName];

/** One vendor's `PUT /v1/targets/{id}` body: the whole spec but the id. */
function updateOf<P extends ProviderName>(provider: P) {
  return specOf(provider).omit({ id: true }).strict();
}
type UpdateOf = { [P in ProviderName]: ReturnType<typeof updateOf<P>> }[ProviderName];

/** The body of `POST /v1/targets`: the id is optional (generated when absent). */
export const CreateTargetInput = z.discriminatedUnion(
  "provider",
  PROVIDER_NAMES.map((p) => createOf(p)) as [CreateOf, ...CreateOf[]],
);
export type CreateTargetInput = z.infer<typeof CreateTargetInput>;

/** The body of `PUT /v1/targets/{id}`: the whole spec but the id (the vendor cannot change). */
export const UpdateTargetInput = z.discriminatedUnion(
  "provider",
  PROVIDER_NAMES.map((p) => updateOf(p)) as [UpdateOf, ...UpdateOf[]],
);
export type UpdateTargetInput = z.infer<typeof UpdateTargetInput>;

/** A target of one vendor. */
export type TargetOf<P extends ProviderName> = Extract<Target, { provider: P }>;

/** The vendor and resource of a target, still discriminated by vendor. */
export type TargetResource = {
  [P in ProviderName]: Pick<TargetOf<P>, "provider" | "resource">;
}[ProviderName];

/**
 * The vendor resource a backup job runs against, in its account and on its host —
 * `<vendor>:<host>:<account>/<resource>` — the key of the single-flight lease. Two targets
 * on the same cluster share it. A target on another account, or on a hostile endpoint that
 * never finishes a job, with the same cluster id gets a key of its own: it can hold only
 * its own lease, never the real cluster's.
 */
export function resourceKey(target: TargetResource & { secretRef: string }): string {
  const { baseUrl } = target.resource as { baseUrl?: string };
  const host = baseUrl ? new URL(baseUrl).host.toLowerCase() : "default";
  return `${target.provider}:${host}:${VENDORS[target.provider].key(target.resource as never, target.secretRef)}`;
}
