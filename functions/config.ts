import * as z from "zod";

/**
 * The environment every function reads, validated once. The stacks set these on AWS;
 * the local runtime sets the same names.
 */
export const Environment = z.object({
  WARDEN_TABLE: z.string().min(1),
  AWS_REGION: z.string().default("us-east-1"),
  /** Local engines only (dynalite, DynamoDB Local). */
  WARDEN_DYNAMODB_ENDPOINT: z.url().optional(),
  WARDEN_CREATE_BACKUP_ARN: z.string().optional(),
  WARDEN_DELETE_BACKUP_ARN: z.string().optional(),
  /** Prefix of provider credential secrets in Secrets Manager. */
  WARDEN_SECRET_PREFIX: z.string().default(""),
  /** "1" lets targets point at loopback simulators (the sandbox); never on AWS. */
  WARDEN_ALLOW_LOOPBACK_PROVIDERS: z.enum(["0", "1"]).default("0"),
  /**
   * Client-side rate limits per vendor, as JSON, e.g.
   * `{"zilliz":{"requestsPerSecond":5,"burst":5}}` (defaults: 5 rps, burst 5 — Zilliz
   * documents 20 rps per endpoint, so this stays well below).
   */
  WARDEN_RATE_LIMITS: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (!raw) return undefined;
      const limits = z
        .partialRecord(
          z.enum(["zilliz", "pinecone", "huawei-taurusdb", "huawei-dcs"]),
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
      return limits.data;
    }),
  WARDEN_PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(30_000),
  WARDEN_VERSION: z.string().default("dev"),
  /** The EventBridge bus of domain events (absent: events are only logged as skipped). */
  WARDEN_EVENT_BUS: z.string().optional(),
  /** Secret name of the default Slack webhook (`{"url": "https://hooks.slack.com/…"}`). */
  WARDEN_SLACK_WEBHOOK_SECRET: z.string().optional(),
});
export type Environment = z.infer<typeof Environment>;

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
