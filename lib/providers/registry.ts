import { ValidationError } from "../core/errors.ts";
import type { Target, TargetOf, TargetResource } from "../core/target.ts";
import { type ProviderName, type RateLimitSettings, VENDORS } from "../core/vendors.ts";
import type { BackupProvider } from "./port.ts";
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
  /** Per-vendor overrides of the client-side rate limit. */
  rateLimits?: Partial<Record<ProviderName, Partial<RateLimitSettings>>>;
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
    return vendor.create({
      target: target as never,
      baseUrl,
      credentials: credentials as never,
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
      ...(options.rateLimits?.[target.provider]
        ? { rateLimit: options.rateLimits[target.provider] }
        : {}),
    });
  };
}
