import type * as z from "zod";
import type { ProviderName, TargetOf } from "../core/target.ts";
import type { BackupProvider } from "./port.ts";
import type { RateLimitSettings } from "./rate-limit.ts";

/**
 * Everything the registry needs to know about one vendor. Adding a vendor means one
 * module implementing this (next to its adapter) and one line in `registry.ts`.
 */
export interface VendorModule<P extends ProviderName, C = unknown> {
  name: P;
  /** The JSON shape of the secret a target of this vendor names. */
  credentials: z.ZodType<C>;
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
    credentials: C;
    fetch?: typeof fetch;
    timeoutMs?: number;
    /** Overrides the vendor's default token bucket (requests per second, burst). */
    rateLimit?: Partial<RateLimitSettings>;
  }): BackupProvider;
}
