import { ValidationError } from "../core/errors.ts";
import type { ProviderName, Target, TargetOf, TargetResource } from "../core/target.ts";
import { dcsModule } from "./huawei/dcs.ts";
import { taurusDbModule } from "./huawei/taurusdb.ts";
import { pineconeModule } from "./pinecone.ts";
import type { BackupProvider } from "./port.ts";
import type { RateLimitSettings } from "./rate-limit.ts";
import { readSecret, type SecretSource } from "./secrets.ts";
import type { VendorModule } from "./vendor.ts";
import { zillizModule } from "./zilliz.ts";

/** Every supported vendor: adding one is one line here. */
const VENDORS: { [P in ProviderName]?: VendorModule<P, never> } = {
  zilliz: zillizModule as VendorModule<"zilliz", never>,
  pinecone: pineconeModule as VendorModule<"pinecone", never>,
  "huawei-taurusdb": taurusDbModule as VendorModule<"huawei-taurusdb", never>,
  "huawei-dcs": dcsModule as VendorModule<"huawei-dcs", never>,
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

function vendorOf<P extends ProviderName>(provider: P): VendorModule<P, never> {
  const vendor = VENDORS[provider] as VendorModule<P, never> | undefined;
  if (!vendor) {
    throw new ValidationError(`provider ${provider} is not supported yet`, [
      { path: "provider", message: `supported: ${Object.keys(VENDORS).join(", ")}` },
    ]);
  }
  return vendor;
}

/**
 * Checks a target against deployment rules: the vendor is supported and the base URL
 * is one of its documented hosts over HTTPS (or a loopback simulator, when allowed).
 * Returns the base URL to use.
 */
export function checkTarget(target: TargetResource, options: { allowLoopback?: boolean }): string {
  const typed = target as TargetOf<ProviderName>;
  const vendor = vendorOf(typed.provider);
  const baseUrl = vendor.baseUrl(typed as never);
  const url = new URL(baseUrl);
  if (options.allowLoopback && LOOPBACK.has(url.hostname) && url.protocol === "http:")
    return baseUrl;
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
  return baseUrl;
}

/**
 * The provider factory: checks the target's host, reads its secret (shape checked per
 * vendor) and builds the adapter.
 *
 * @example const provider = await createProviderFactory({ secrets })(target);
 */
export function createProviderFactory(options: ProviderFactoryOptions): ProviderFactory {
  return async (target) => {
    const baseUrl = checkTarget(target, options);
    const vendor = vendorOf(target.provider);
    const credentials = await readSecret(options.secrets, target.secretRef, vendor.credentials);
    return vendor.create({
      target: target as never,
      baseUrl,
      credentials,
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
      ...(options.rateLimits?.[target.provider]
        ? { rateLimit: options.rateLimits[target.provider] }
        : {}),
    });
  };
}
