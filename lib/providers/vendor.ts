import type { TargetOf } from "../core/target.ts";
import type { ProviderName, RateLimitSettings, SecretOf } from "../core/vendors.ts";
import type { BackupProvider } from "./port.ts";
import type { RateBudget } from "./rate-budget.ts";

/**
 * The adapter side of one vendor, in its folder next to its adapter: which hosts its
 * targets may call and how the adapter is built. What a target of it looks like (its
 * resource, its secret, its label…) is in the vendor table, lib/core/vendors.ts.
 */
export interface VendorModule<P extends ProviderName> {
  name: P;
  /** The base URL for a target: its own, or the vendor's default for its region. */
  baseUrl(target: TargetOf<P>): string;
  /** Whether a hostname is one of the vendor's documented API hosts. */
  allowedHost(hostname: string, target: TargetOf<P>): boolean;
  /** A description of the allowed hosts, for the error message. */
  allowedHostsText: string;
  /** Builds the adapter. */
  create(options: {
    target: TargetOf<P>;
    baseUrl: string;
    credentials: SecretOf<P>;
    fetch?: typeof fetch;
    timeoutMs?: number;
    /** Overrides the vendor's default token bucket (requests per second, burst). */
    rateLimit?: Partial<RateLimitSettings>;
    /** The fleet's shared budget; without it, a token bucket per process. */
    budget?: RateBudget;
  }): BackupProvider;
}

/** The host rules of a vendor with a fixed set of control-plane hosts (Zilliz, Pinecone). */
export function fixedHosts(
  hosts: readonly string[],
  defaultBaseUrl: string,
): Pick<VendorModule<"zilliz" | "pinecone">, "baseUrl" | "allowedHost" | "allowedHostsText"> {
  return {
    baseUrl: (target) => target.resource.baseUrl ?? defaultBaseUrl,
    allowedHost: (hostname) => hosts.includes(hostname),
    allowedHostsText: hosts.join(" or "),
  };
}
