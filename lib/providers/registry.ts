import { ValidationError } from "../core/errors.ts";
import type { Target } from "../core/target.ts";
import type { BackupProvider } from "./port.ts";
import { readSecret, type SecretSource } from "./secrets.ts";
import {
  ZILLIZ_DEFAULT_BASE_URL,
  ZILLIZ_HOSTS,
  ZillizCredentials,
  ZillizProvider,
} from "./zilliz.ts";

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
}

/** Builds the adapter for a target. */
export type ProviderFactory = (target: Target) => Promise<BackupProvider>;

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * Refuses a base URL outside the vendor's allowed hosts (HTTPS only, except loopback
 * simulators when allowed).
 */
export function checkBaseUrl(
  baseUrl: string,
  allowedHosts: readonly string[],
  options: { allowLoopback?: boolean } = {},
): void {
  const url = new URL(baseUrl);
  if (options.allowLoopback && LOOPBACK.has(url.hostname) && url.protocol === "http:") return;
  if (
    url.protocol !== "https:" ||
    !allowedHosts.includes(url.hostname) ||
    url.username ||
    url.password
  ) {
    throw new ValidationError("base URL is not an allowed host for this provider", [
      { path: "resource.baseUrl", message: `must be https://${allowedHosts.join(" or https://")}` },
    ]);
  }
}

/** Validates the parts of a target that depend on deployment settings (allowed hosts). */
export function checkTarget(
  target: Pick<Target, "provider" | "resource">,
  options: { allowLoopback?: boolean },
): void {
  switch (target.provider) {
    case "zilliz":
      checkBaseUrl(target.resource.baseUrl ?? ZILLIZ_DEFAULT_BASE_URL, ZILLIZ_HOSTS, options);
  }
}

/**
 * The provider factory: reads the target's secret, checks its host and builds the adapter.
 *
 * @example const provider = await createProviderFactory({ secrets })(target);
 */
export function createProviderFactory(options: ProviderFactoryOptions): ProviderFactory {
  return async (target) => {
    checkTarget(target, options);
    switch (target.provider) {
      case "zilliz":
        return new ZillizProvider({
          baseUrl: target.resource.baseUrl ?? ZILLIZ_DEFAULT_BASE_URL,
          fetch: options.fetch,
          timeoutMs: options.timeoutMs,
          credentials: await readSecret(options.secrets, target.secretRef, ZillizCredentials),
        });
    }
  };
}
