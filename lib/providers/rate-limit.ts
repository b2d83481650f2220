import { createHash } from "node:crypto";
import { ProviderError } from "../core/provider-error.ts";
import { type RateLimitSettings, vendorFacts } from "../core/vendors.ts";

export type { RateLimitSettings } from "../core/vendors.ts";

/** Time as the limiter sees it; injected in tests. */
export interface RateLimitClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** For a vendor missing from the vendor table (lib/core/vendors.ts `rateLimit`). */
export const FALLBACK_RATE_LIMIT: RateLimitSettings = {
  requestsPerSecond: 5,
  burst: 5,
  maxWaitMs: 5_000,
};

const realClock: RateLimitClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * A token bucket that hands out tokens in arrival order. A caller that finds the bucket
 * empty reserves the next token (the level goes negative) and sleeps until it is due, so
 * concurrent callers queue fairly without a timer per bucket.
 *
 * @example
 * const bucket = new TokenBucket("pinecone", { requestsPerSecond: 5, burst: 5, maxWaitMs: 5_000 });
 * await bucket.take(); // resolves at once, or after the wait; throws THROTTLED past maxWaitMs
 */
export class TokenBucket {
  readonly #vendor: string;
  readonly #settings: RateLimitSettings;
  readonly #clock: RateLimitClock;
  #tokens: number;
  #refilledAt: number;

  constructor(vendor: string, settings: RateLimitSettings, clock: RateLimitClock = realClock) {
    if (!(settings.requestsPerSecond > 0) || !(settings.burst >= 1)) {
      throw new RangeError("a rate limit needs requestsPerSecond > 0 and burst >= 1");
    }
    this.#vendor = vendor;
    this.#settings = settings;
    this.#clock = clock;
    this.#tokens = settings.burst;
    this.#refilledAt = clock.now();
  }

  /**
   * Waits for a token.
   *
   * @throws ProviderError THROTTLED (with `retryAfterMs`) when the wait would exceed
   *   `maxWaitMs`; no token is used up then, so the retry finds the bucket as it was.
   */
  async take(): Promise<void> {
    const waitMs = this.#reserve();
    if (waitMs > 0) await this.#clock.sleep(waitMs);
  }

  #reserve(): number {
    const now = this.#clock.now();
    const { requestsPerSecond, burst, maxWaitMs } = this.#settings;
    const elapsed = Math.max(0, now - this.#refilledAt);
    this.#tokens = Math.min(burst, this.#tokens + (elapsed * requestsPerSecond) / 1000);
    this.#refilledAt = now;
    const waitMs =
      this.#tokens >= 1 ? 0 : Math.ceil(((1 - this.#tokens) * 1000) / requestsPerSecond);
    if (waitMs > maxWaitMs) {
      throw new ProviderError({
        cls: "THROTTLED",
        provider: this.#vendor,
        retryAfterMs: waitMs,
        message: `${this.#vendor}: client-side rate limit of ${requestsPerSecond} requests/s reached; a slot frees in ${waitMs} ms`,
      });
    }
    this.#tokens -= 1;
    return waitMs;
  }
}

/**
 * One bucket per (vendor, account, host, settings), shared by every adapter in the
 * process: one Lambda container is one process, so all targets of one account share it.
 * Adapters configured with different settings get different buckets. An injected clock
 * gets its own set of buckets, so tests never see each other's traffic.
 */
const buckets = new Map<string, TokenBucket>();
const bucketsByClock = new WeakMap<RateLimitClock, Map<string, TokenBucket>>();
/** Distinct accounts are few; the cap only guards a long-lived local process. */
const MAX_BUCKETS = 1_000;

/**
 * A stable, non-reversible label for an account: the first 16 hex digits of the SHA-256
 * of its credentials. The key itself never becomes part of a map key or a log line.
 */
export function credentialFingerprint(credentials: unknown): string {
  const text = typeof credentials === "string" ? credentials : JSON.stringify(credentials ?? null);
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/**
 * A vendor's limit (its `rateLimit` in lib/core/vendors.ts, or {@link FALLBACK_RATE_LIMIT})
 * with the fields `overrides` sets.
 */
export function rateLimitSettings(
  vendor: string,
  overrides: Partial<RateLimitSettings> = {},
): RateLimitSettings {
  const defaults = vendorFacts(vendor)?.rateLimit ?? FALLBACK_RATE_LIMIT;
  const set = Object.entries(overrides).filter(([, v]) => v !== undefined);
  return { ...defaults, ...Object.fromEntries(set) };
}

/**
 * The shared bucket for one vendor account on one host.
 *
 * @param scope.settings - overrides of the vendor's `rateLimit` (lib/core/vendors.ts)
 * @param scope.clock - injected time (tests)
 */
export function bucketFor(scope: {
  vendor: string;
  /** From {@link credentialFingerprint}. */
  account: string;
  host: string;
  settings?: Partial<RateLimitSettings>;
  clock?: RateLimitClock;
}): TokenBucket {
  const settings = rateLimitSettings(scope.vendor, scope.settings);
  const key = [
    scope.vendor,
    scope.account,
    scope.host,
    settings.requestsPerSecond,
    settings.burst,
    settings.maxWaitMs,
  ].join("|");
  const clock = scope.clock ?? realClock;
  let registry = scope.clock === undefined ? buckets : bucketsByClock.get(scope.clock);
  if (registry === undefined) {
    registry = new Map();
    bucketsByClock.set(clock, registry);
  }
  let bucket = registry.get(key);
  if (bucket === undefined) {
    if (registry.size >= MAX_BUCKETS) registry.delete(registry.keys().next().value as string);
    bucket = new TokenBucket(scope.vendor, settings, clock);
    registry.set(key, bucket);
  }
  return bucket;
}
