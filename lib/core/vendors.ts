import * as z from "zod";

/*
 * The facts of every vendor we back up, as one pure-data table: what a target of it
 * looks like (its resource and the secret it names), how its resource is keyed and shown,
 * what it is called, and how fast we call it by default. The target schema
 * (core/target.ts), the environment (functions/config.ts), Slack, the rate limiter and
 * the CLI all read this table; the adapter of each vendor lives in its folder under
 * lib/providers/ (docs/contributing.md, "Add a vendor"). Vendor API details are in
 * docs/providers.md, cited here by section.
 */

/** What to back up on a Zilliz Cloud Dedicated cluster (docs/providers.md §1.3). */
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

/** A Pinecone serverless index (docs/providers.md §2). */
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

/** Where a Huawei Cloud instance lives (docs/providers.md §3.2, §4.1). */
const huaweiLocation = {
  region: z.string().regex(/^[a-z]{2}-[a-z]+-\d+$/, "a Huawei region id such as ap-southeast-1"),
  projectId: z.string().regex(/^[0-9a-f]{32}$/, "a Huawei project id (32 hex characters)"),
  instanceId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, "a Huawei instance id"),
  /** Regional endpoint; derived from the region when absent. */
  baseUrl: z.url().optional(),
};

/** A Huawei Cloud TaurusDB (GaussDB for MySQL) instance (docs/providers.md §3). */
export const TaurusDbResource = z.object(huaweiLocation).strict();
export type TaurusDbResource = z.infer<typeof TaurusDbResource>;

/** A Huawei Cloud DCS (Redis) instance (docs/providers.md §4). */
export const DcsResource = z
  .object({
    ...huaweiLocation,
    /** v2 is current; v1.0 is the historical API some regions still use. */
    apiVersion: z.enum(["v2", "v1.0"]).default("v2"),
    backupFormat: z.enum(["rdb", "aof"]).optional(),
  })
  .strict();
export type DcsResource = z.infer<typeof DcsResource>;

/** An API key, as Zilliz and Pinecone issue them. */
export const ApiKeySecret = z.object({ apiKey: z.string().min(1) });
export type ApiKeySecret = z.infer<typeof ApiKeySecret>;

/**
 * Huawei AK/SK credentials (recommended by Huawei; docs/providers.md §5.1). `securityToken` is set for temporary credentials, sent signed as
 * `X-Security-Token`.
 */
export const HuaweiAkSkCredentials = z.object({
  authMode: z.literal("aksk").optional(),
  ak: z.string().min(1),
  sk: z.string().min(1),
  securityToken: z.string().min(1).optional(),
});
export type HuaweiAkSkCredentials = z.infer<typeof HuaweiAkSkCredentials>;

/** Huawei IAM password credentials, exchanged for a project-scoped token. */
export const HuaweiPasswordCredentials = z.object({
  authMode: z.literal("token"),
  /** The account (domain) name. */
  domainName: z.string().min(1),
  /** An IAM user of that account. */
  userName: z.string().min(1),
  password: z.string().min(1),
});
export type HuaweiPasswordCredentials = z.infer<typeof HuaweiPasswordCredentials>;

/**
 * The secret a Huawei target (TaurusDB or DCS) names: `{ak, sk, securityToken?}` or
 * `{authMode: "token", domainName, userName, password}`. Discriminated on `authMode`
 * (absent means AK/SK) so that a wrong shape is reported as the missing field of the
 * intended mode, never as an opaque "no union member matched" — and never with a value.
 */
export const HuaweiCredentials = z.discriminatedUnion("authMode", [
  HuaweiAkSkCredentials,
  HuaweiPasswordCredentials,
]);
export type HuaweiCredentials = z.infer<typeof HuaweiCredentials>;

/** Whose credentials a secret holds (its JSON's `vendor` field). */
export type SecretVendor = "zilliz" | "pinecone" | "huawei";

/** How fast one account may call one vendor host. */
export interface RateLimitSettings {
  /** Sustained rate: tokens added per second. */
  requestsPerSecond: number;
  /** Bucket size: requests that may go out back to back after a quiet spell. */
  burst: number;
  /** Longest a request may wait for a token; beyond it the call fails THROTTLED at once. */
  maxWaitMs: number;
}

/** What we know about one vendor, independent of its API. */
export interface VendorFacts<R extends z.ZodType = z.ZodType, S extends z.ZodType = z.ZodType> {
  /** How humans call it (Slack, the CLI). */
  label: string;
  /** The `resource` of its targets. */
  resource: R;
  /** The JSON of the secret its targets name. */
  secret: S;
  /**
   * The `vendor` a secret's JSON must name to be used for these targets: a secret belongs
   * to one vendor, so a target can never send another vendor's key to its own host.
   * Both Huawei services share one account's credentials.
   */
  secretVendor: SecretVendor;
  /**
   * The resource within its account, `<account>/<resource>`: with the vendor and the host
   * (added by `resourceKey`), the key of the single-flight lease. Two targets on the same
   * cluster of the same account share it; the same cluster id on another account, or a
   * lookalike behind another host, never does. `secretRef` stands for the account where
   * the resource does not name one (Zilliz, Pinecone: their API key is the account).
   */
  key(resource: z.infer<R>, secretRef: string): string;
  /** The resource in a few characters, for tables. */
  describe(resource: z.infer<R>): string;
  /**
   * The rate limit of one vendor account on one host, for the whole fleet: every Lambda
   * container counts against one budget in the table (lib/providers/rate-budget.ts), in
   * one-second windows (`burst` matters only to the per-process fallback bucket). Set a
   * margin below the vendor's documented limit, for skew between our clocks and theirs.
   */
  rateLimit: RateLimitSettings;
}

/** One vendor's facts, typed by its schemas. */
function vendor<R extends z.ZodType, S extends z.ZodType>(facts: VendorFacts<R, S>) {
  return facts;
}

/** For limits the vendor does not publish: a cautious guess. */
const FIVE_PER_SECOND = { requestsPerSecond: 5, burst: 5, maxWaitMs: 5_000 };

/** Every vendor we support, by the `provider` its targets name. */
export const VENDORS = {
  zilliz: vendor({
    secretVendor: "zilliz",
    label: "Zilliz Cloud",
    resource: ZillizResource,
    secret: ApiKeySecret,
    key: (r, secretRef) => `${secretRef}/${r.clusterId}`,
    describe: (r) => r.clusterId,
    // Zilliz documents 20 rps per user and endpoint. The budget is the fleet's, so 16 (80 %)
    // leaves only a margin for clock skew between our windows and Zilliz's.
    rateLimit: { requestsPerSecond: 16, burst: 16, maxWaitMs: 5_000 },
  }),
  pinecone: vendor({
    secretVendor: "pinecone",
    label: "Pinecone",
    resource: PineconeResource,
    secret: ApiKeySecret,
    key: (r, secretRef) => `${secretRef}/${r.indexName}`,
    describe: (r) => r.indexName,
    // Control-plane limits are unpublished (only data-plane ones are): a cautious guess.
    rateLimit: FIVE_PER_SECOND,
  }),
  "huawei-taurusdb": vendor({
    secretVendor: "huawei",
    label: "Huawei Cloud TaurusDB",
    resource: TaurusDbResource,
    secret: HuaweiCredentials,
    key: (r) => `${r.projectId}/${r.region}/${r.instanceId}`,
    describe: (r) => `${r.region}/${r.instanceId}`,
    // Per-API gateway limits are unpublished: likewise.
    rateLimit: FIVE_PER_SECOND,
  }),
  "huawei-dcs": vendor({
    secretVendor: "huawei",
    label: "Huawei Cloud DCS (Redis)",
    resource: DcsResource,
    secret: HuaweiCredentials,
    key: (r) => `${r.projectId}/${r.region}/${r.instanceId}`,
    describe: (r) => `${r.region}/${r.instanceId}`,
    rateLimit: FIVE_PER_SECOND,
  }),
} as const;

/** The names of the vendors we support. */
export type ProviderName = keyof typeof VENDORS;
export const PROVIDER_NAMES = Object.keys(VENDORS) as [ProviderName, ...ProviderName[]];

/** The secret type of one vendor's targets. */
export type SecretOf<P extends ProviderName> = z.infer<(typeof VENDORS)[P]["secret"]>;

/** The facts of a vendor by name; `undefined` for one we do not support. */
export function vendorFacts(provider: string): VendorFacts | undefined {
  return Object.hasOwn(VENDORS, provider)
    ? (VENDORS[provider as ProviderName] as VendorFacts)
    : undefined;
}
