import * as z from "zod";
import { SecretRef } from "../lib/core/target.ts";
import { PROVIDER_NAMES } from "../lib/core/vendors.ts";
import type { RateLimitOverrides } from "../lib/providers/registry.ts";

/** A vendor (`zilliz`), or one account of it: the vendor and a target's `secretRef`. */
const RateLimitKey = z.string().refine((key) => {
  const colon = key.indexOf(":");
  const vendor = colon < 0 ? key : key.slice(0, colon);
  if (!(PROVIDER_NAMES as readonly string[]).includes(vendor)) return false;
  return colon < 0 || SecretRef.safeParse(key.slice(colon + 1)).success;
});

/**
 * The environment every function reads, validated once. The stacks set these on AWS;
 * the local runtime sets the same names. A function gets the variables of the
 * capabilities it declares (functions/capabilities.ts) and no others, so each of those
 * is optional here and checked when the port that needs it is first used.
 */
export const Environment = z.object({
  AWS_REGION: z.string().default("us-east-1"),
  /** The catalogue table (`table:read`, `table:write`). */
  WARDEN_TABLE: z.string().min(1).optional(),
  /** The local runtime only: its loopback stand-in for every AWS service (local/aws/). */
  WARDEN_AWS_ENDPOINT: z.url().optional(),
  /** State machine ARNs (`start:create-backup`, `start:delete-backup`). */
  WARDEN_CREATE_BACKUP_ARN: z.string().min(1).optional(),
  WARDEN_DELETE_BACKUP_ARN: z.string().min(1).optional(),
  WARDEN_RESTORE_BACKUP_ARN: z.string().min(1).optional(),
  /** Name prefix of vendor credential secrets (`secrets:providers`). */
  WARDEN_PROVIDER_SECRET_PREFIX: z.string().min(1).optional(),
  /** Name prefix of Slack webhook secrets (`secrets:webhooks`). */
  WARDEN_WEBHOOK_SECRET_PREFIX: z.string().min(1).optional(),
  /** The validate-target function (`invoke:validate-target`). */
  WARDEN_VALIDATE_TARGET_FUNCTION: z.string().min(1).optional(),
  /** The preview-restore function (`invoke:preview-restore`). */
  WARDEN_PREVIEW_RESTORE_FUNCTION: z.string().min(1).optional(),
  /** The reconcile function (`invoke:reconcile`). */
  WARDEN_RECONCILE_FUNCTION: z.string().min(1).optional(),
  WARDEN_LAUNCH_QUEUE_URL: z.url().optional(),
  /** How long an orphaned vendor backup is kept before the reconciler deletes it. */
  WARDEN_ORPHAN_GRACE_HOURS: z.coerce
    .number()
    .min(0)
    .max(24 * 365)
    .default(24),
  /** "1" lets targets point at loopback simulators (the sandbox); never on AWS. */
  WARDEN_ALLOW_LOOPBACK_PROVIDERS: z.enum(["0", "1"]).default("0"),
  /**
   * Rate limits per vendor or per vendor account, as JSON, e.g.
   * `{"zilliz":{"requestsPerSecond":10},"zilliz:prod/zilliz":{"requestsPerSecond":4}}`: a
   * `<vendor>:<secretRef>` entry overrides its vendor's entry for the targets of that
   * secret. The limit is the fleet's (every container shares one budget in the table);
   * defaults in lib/core/vendors.ts (Zilliz 16 rps, others 5).
   */
  WARDEN_RATE_LIMITS: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (!raw) return undefined;
      const limits = z
        .record(
          RateLimitKey,
          z.object({
            requestsPerSecond: z.number().positive().max(1000).optional(),
            burst: z.number().int().positive().max(1000).optional(),
            maxWaitMs: z.number().int().min(0).max(60_000).optional(),
          }),
        )
        .safeParse(safeJson(raw));
      if (!limits.success) {
        ctx.addIssue({
          code: "custom",
          message: "WARDEN_RATE_LIMITS is not valid rate-limit JSON",
        });
        return z.NEVER;
      }
      return limits.data as RateLimitOverrides;
    }),
  WARDEN_PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(30_000),
  /**
   * The longest completion window any target may have, in hours (default 48): a backup
   * not AVAILABLE by then is FAILED and its resource's lease freed, whatever the target
   * asks for — a vendor job that never ends cannot hold a resource for a week.
   */
  WARDEN_MAX_COMPLETION_WINDOW_HOURS: z.coerce
    .number()
    .min(1)
    .max(7 * 24)
    .default(48),
  WARDEN_VERSION: z.string().default("dev"),
  /** The EventBridge bus of domain events (`events:publish`). */
  WARDEN_EVENT_BUS: z.string().min(1).optional(),
  /**
   * Name (after the webhook prefix) of the default Slack webhook secret,
   * `{"url": "https://hooks.slack.com/…"}`; policies may route to others.
   */
  WARDEN_SLACK_WEBHOOK_SECRET: z.string().optional(),
});
export type Environment = z.infer<typeof Environment>;

/**
 * The variables an operator tunes (not resources): the local runtime passes them from its
 * own environment to every function, as a stack passes its settings.
 */
export const OPERATOR_SETTINGS = [
  "WARDEN_PROVIDER_TIMEOUT_MS",
  "WARDEN_RATE_LIMITS",
  "WARDEN_ORPHAN_GRACE_HOURS",
  "WARDEN_MAX_COMPLETION_WINDOW_HOURS",
] as const satisfies ReadonlyArray<keyof Environment>;

/** Parses `process.env`; a missing or bad variable names itself, never a value. */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  const result = Environment.safeParse(env);
  if (!result.success) {
    const names = result.error.issues.map((i) => i.path.join(".")).join(", ");
    throw new Error(`invalid function environment: ${names}`);
  }
  return result.data;
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
