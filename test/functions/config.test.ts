import { describe, expect, it } from "vitest";
import { readEnvironment } from "../../functions/config.ts";

describe("function environment", () => {
  it("reads per-vendor rate limits from JSON", () => {
    const env = readEnvironment({
      WARDEN_TABLE: "t",
      WARDEN_RATE_LIMITS: '{"zilliz":{"requestsPerSecond":2,"burst":3}}',
    });
    expect(env.WARDEN_RATE_LIMITS).toEqual({ zilliz: { requestsPerSecond: 2, burst: 3 } });
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
