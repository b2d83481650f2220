import { ValidationError } from "../core/errors.ts";
import type { Target, TargetOf, TargetResource } from "../core/target.ts";
import { type ProviderName, type RateLimitSettings, VENDORS } from "../core/vendors.ts";
import type { BackupProvider } from "./port.ts";
import type { RateBudget } from "./rate-budget.ts";
import { readSecret, type SecretSource } from "./secrets.ts";
import type { VendorModule } from "./vendor.ts";

/**
 * Every supported vendor's module, one line each, imported when a target of that vendor
 * is first checked: a function backing up a Zilliz cluster never loads the Huawei signer.
 */
const MODULES: { [P in ProviderName]: () => Promise<VendorModule<P>> } = {
  zilliz: () => import("./zilliz/module.ts").then((m) => m.zillizModule),
  pinecone: () => import("./pinecone/module.ts").then((m) => m.pineconeModule),
  "huawei-taurusdb": () => import("./huawei/taurusdb.ts").then((m) => m.taurusDbModule),
  "huawei-dcs": () => import("./huawei/dcs.ts").then((m) => m.dcsModule),
};

/** How adapters are built. */
export interface ProviderFactoryOptions {
  secrets: SecretSource;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /**
   * Allow loopback base URLs (the sandbox simulators). Off on AWS: a target can never
   * point the system at an arbitrary URL.
   */
  allowLoopback?: boolean;
  /** Overrides of the client-side rate limit, per vendor or per vendor account. */
  rateLimits?: RateLimitOverrides;
  /**
   * The budget every container shares (lib/providers/rate-budget.ts); without it, each
   * process limits its own calls.
   */
  budget?: RateBudget;
}

/**
 * Rate-limit overrides keyed by vendor (`zilliz`) or by vendor account
 * (`zilliz:<secretRef>`, the target's `secretRef`); an account's entry overrides its
 * vendor's entry field by field.
 */
export type RateLimitOverrides = Partial<
  Record<ProviderName | `${ProviderName}:${string}`, Partial<RateLimitSettings>>
>;

/** The overrides that apply to one target: its vendor's entry, then its account's. */
export function rateLimitOf(
  overrides: RateLimitOverrides | undefined,
  target: Pick<Target, "provider" | "secretRef">,
): Partial<RateLimitSettings> | undefined {
  const vendor = overrides?.[target.provider];
  const account = overrides?.[`${target.provider}:${target.secretRef}`];
  return vendor || account ? { ...vendor, ...account } : undefined;
}

/** Builds the adapter for a target. */
export type ProviderFactory = (target: Target) => Promise<BackupProvider>;

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

function moduleOf<P extends ProviderName>(provider: P): Promise<VendorModule<P>> {
  const load = Object.hasOwn(MODULES, provider) ? MODULES[provider] : undefined;
  if (!load) {
    throw new ValidationError(`provider ${provider} is not supported yet`, [
      { path: "provider", message: `supported: ${Object.keys(MODULES).join(", ")}` },
    ]);
  }
  return load();
}

/**
 * Checks a target against deployment rules: the vendor is supported and the base URL
 * is one of its documented hosts over HTTPS (or a loopback simulator, when allowed).
 * Returns the base URL to use.
 */
export async function checkTarget(
  target: TargetResource,
  options: { allowLoopback?: boolean },
): Promise<string> {
  return (await checked(target, options)).baseUrl;
}

/** {@link checkTarget}, with the vendor module it loaded. */
async function checked(target: TargetResource, options: { allowLoopback?: boolean }) {
  const typed = target as TargetOf<ProviderName>;
  const vendor = await moduleOf(typed.provider);
  const baseUrl = vendor.baseUrl(typed as never);
  const url = new URL(baseUrl);
  if (options.allowLoopback && LOOPBACK.has(url.hostname) && url.protocol === "http:")
    return { vendor, baseUrl };
  if (
    url.protocol !== "https:" ||
    !vendor.allowedHost(url.hostname, typed as never) ||
    url.username ||
    url.password
  ) {
    throw new ValidationError("base URL is not an allowed host for this provider", [
      { path: "resource.baseUrl", message: `must be https:// on ${vendor.allowedHostsText}` },
    ]);
  }
  return { vendor, baseUrl };
}

/**
 * The provider factory: checks the target's host, reads its secret (shape checked per
 * vendor) and builds the adapter.
 *
 * @example const provider = await createProviderFactory({ secrets })(target);
 */
export function createProviderFactory(options: ProviderFactoryOptions): ProviderFactory {
  return async (target) => {
    const { vendor, baseUrl } = await checked(target, options);
    const facts = VENDORS[target.provider];
    const secret = facts.secret as unknown as Parameters<typeof readSecret>[2];
    const credentials = await readSecret(
      options.secrets,
      target.secretRef,
      secret,
      facts.secretVendor,
    );
    const rateLimit = rateLimitOf(options.rateLimits, target);
    return vendor.create({
      target: target as never,
      baseUrl,
      credentials: credentials as never,
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
      ...(rateLimit ? { rateLimit } : {}),
      ...(options.budget ? { budget: options.budget } : {}),
    });
  };
}
