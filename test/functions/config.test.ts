import { describe, expect, it } from "vitest";
import { readEnvironment } from "../../functions/config.ts";
import { rateLimitOf } from "../../lib/providers/registry.ts";

describe("function environment", () => {
  it("reads per-vendor rate limits from JSON", () => {
    const env = readEnvironment({
      WARDEN_TABLE: "t",
      WARDEN_RATE_LIMITS: '{"zilliz":{"requestsPerSecond":2,"burst":3}}',
    });
    expect(env.WARDEN_RATE_LIMITS).toEqual({ zilliz: { requestsPerSecond: 2, burst: 3 } });
  });

  it("reads per-account entries keyed <vendor>:<secretRef>, which override the vendor's", () => {
    const env = readEnvironment({
      WARDEN_RATE_LIMITS:
        '{"zilliz":{"requestsPerSecond":10,"maxWaitMs":0},"zilliz:prod/zilliz":{"requestsPerSecond":4}}',
    });
    const limits = env.WARDEN_RATE_LIMITS;
    expect(rateLimitOf(limits, { provider: "zilliz", secretRef: "prod/zilliz" })).toEqual({
      requestsPerSecond: 4,
      maxWaitMs: 0,
    });
    expect(rateLimitOf(limits, { provider: "zilliz", secretRef: "other" })).toEqual({
      requestsPerSecond: 10,
      maxWaitMs: 0,
    });
    expect(rateLimitOf(limits, { provider: "pinecone", secretRef: "prod/zilliz" })).toBeUndefined();
  });

  it.each([
    ['{"mongo:prod":{"requestsPerSecond":1}}', "an unknown vendor"],
    ['{"zilliz:":{"requestsPerSecond":1}}', "an empty secretRef"],
    ['{"zilliz:bad ref secret-ish":{"requestsPerSecond":1}}', "a secretRef no secret can have"],
    ['{"zilliz:prod":{"requestsPerSecond":0}}', "a zero rate"],
  ])("refuses %s (%s) in one line naming the variable, never the value", (raw) => {
    expect(() => readEnvironment({ WARDEN_RATE_LIMITS: raw })).toThrow(
      /^invalid function environment: WARDEN_RATE_LIMITS$/,
    );
  });

  it("names a bad variable without echoing its value", () => {
    expect(() =>
      readEnvironment({
        WARDEN_TABLE: "t",
        WARDEN_RATE_LIMITS: '{"mongo":{"burst":"secret-ish"}}',
      }),
    ).toThrow(/WARDEN_RATE_LIMITS/);
    try {
      readEnvironment({ WARDEN_TABLE: "t", WARDEN_RATE_LIMITS: "not json secret-ish" });
    } catch (error) {
      expect(String(error)).not.toContain("secret-ish");
    }
  });

  it("reads a function's resources only from the capabilities it declares (all optional)", () => {
    const env = readEnvironment({});
    expect(env.WARDEN_TABLE).toBeUndefined();
    expect(env.WARDEN_PROVIDER_SECRET_PREFIX).toBeUndefined();
  });
});
