import { describe, expect, it } from "vitest";
import { ProviderError } from "../../lib/core/provider-error.ts";
import { PineconeProvider } from "../../lib/providers/pinecone/adapter.ts";
import {
  bucketFor,
  credentialFingerprint,
  type RateLimitClock,
  TokenBucket,
} from "../../lib/providers/rate-limit.ts";
import { rejectionOf } from "../support/rejections.ts";

/** Time stands still unless the test moves it; sleeps are recorded, not slept. */
function fakeClock(
  start = 1_000_000,
): RateLimitClock & { advance(ms: number): void; sleeps: number[] } {
  let now = start;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    advance: (ms) => {
      now += ms;
    },
    sleeps,
  };
}

const FIVE_PER_SECOND = { requestsPerSecond: 5, burst: 5, maxWaitMs: 5_000 };

const rejection = (promise: Promise<unknown>) => rejectionOf(promise, ProviderError);

describe("TokenBucket", () => {
  it("lets a burst through at once, then spaces requests at the sustained rate", async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket("pinecone", FIVE_PER_SECOND, clock);
    for (let i = 0; i < 5; i++) await bucket.take();
    expect(clock.sleeps).toEqual([]);
    await Promise.all([bucket.take(), bucket.take(), bucket.take()]);
    // Concurrent callers queue in arrival order, 200 ms apart.
    expect(clock.sleeps).toEqual([200, 400, 600]);
  });

  it("refills with time, never above the burst", async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket("zilliz", FIVE_PER_SECOND, clock);
    for (let i = 0; i < 5; i++) await bucket.take();
    clock.advance(60_000);
    for (let i = 0; i < 5; i++) await bucket.take();
    expect(clock.sleeps).toEqual([]);
    await bucket.take();
    expect(clock.sleeps).toEqual([200]);
  });

  it("fails THROTTLED with a retry hint instead of waiting past maxWaitMs, keeping its tokens", async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket("pinecone", { ...FIVE_PER_SECOND, maxWaitMs: 500 }, clock);
    for (let i = 0; i < 5; i++) await bucket.take();
    await bucket.take(); // waits 200
    await bucket.take(); // waits 400
    const error = await rejection(bucket.take()); // would wait 600
    expect(error.cls).toBe("THROTTLED");
    expect(error.retryAfterMs).toBe(600);
    expect(error.provider).toBe("pinecone");
    clock.advance(400);
    await bucket.take();
    expect(clock.sleeps).toEqual([200, 400, 200]);
  });

  it("refuses settings that could never hand out a token", () => {
    expect(() => new TokenBucket("x", { ...FIVE_PER_SECOND, requestsPerSecond: 0 })).toThrow(
      RangeError,
    );
  });
});

describe("bucketFor", () => {
  it("shares one bucket per vendor, account and host, and separates the rest", () => {
    const clock = fakeClock();
    const account = credentialFingerprint({ apiKey: "key-a" });
    const scope = { vendor: "pinecone", account, host: "api.pinecone.io", clock };
    const bucket = bucketFor(scope);
    expect(bucketFor({ ...scope })).toBe(bucket);
    expect(bucketFor({ ...scope, account: credentialFingerprint({ apiKey: "key-b" }) })).not.toBe(
      bucket,
    );
    expect(bucketFor({ ...scope, host: "127.0.0.1:9" })).not.toBe(bucket);
    expect(bucketFor({ ...scope, vendor: "zilliz" })).not.toBe(bucket);
    expect(bucketFor({ ...scope, clock: fakeClock() })).not.toBe(bucket);
  });

  it("names an account by a hash that does not contain the key", () => {
    const fingerprint = credentialFingerprint({ apiKey: "pcsk_secret_value" });
    expect(fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprint).toBe(credentialFingerprint({ apiKey: "pcsk_secret_value" }));
    expect(fingerprint).not.toContain("secret");
  });
});

describe("HttpProvider rate limiting", () => {
  const target = { resource: { indexName: "docs-example" } } as never;

  function adapter(fetch: typeof globalThis.fetch, clock: RateLimitClock, apiKey = "key-a") {
    return new PineconeProvider({
      baseUrl: "https://api.pinecone.io",
      fetch,
      credentials: { apiKey },
      target,
      rateLimit: { requestsPerSecond: 5, burst: 2, maxWaitMs: 300, clock },
    });
  }

  it("waits for a token before each request, shared by adapters of one account", async () => {
    const clock = fakeClock();
    let calls = 0;
    const fetch = (async () => {
      calls++;
      return new Response(null, { status: 202 });
    }) as typeof globalThis.fetch;
    const ref = { backupId: "b1", resourceId: "docs-example" };
    await adapter(fetch, clock).deleteBackup(ref);
    await adapter(fetch, clock).deleteBackup(ref);
    await adapter(fetch, clock).deleteBackup(ref);
    expect(clock.sleeps).toEqual([200]);
    // Another account has its own bucket.
    await adapter(fetch, clock, "key-b").deleteBackup(ref);
    expect(clock.sleeps).toEqual([200]);
    // The next slot is 400 ms away, past the 300 ms bound: fail before reaching the vendor.
    const before = calls;
    const error = await rejection(adapter(fetch, clock).deleteBackup(ref));
    expect(error.cls).toBe("THROTTLED");
    expect(error.retryAfterMs).toBe(400);
    expect(calls).toBe(before);
  });
});
