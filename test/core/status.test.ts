import { describe, expect, it } from "vitest";
import { BackupStatus, canTransition, sourcesOf, TRANSITIONS } from "../../lib/core/status.ts";

describe("status machine", () => {
  it("allows the documented happy path in order", () => {
    const path = ["PENDING", "CREATING", "AVAILABLE", "EXPIRING", "DELETING", "DELETED"] as const;
    for (let i = 0; i < path.length - 1; i++)
      expect(canTransition(path[i]!, path[i + 1]!)).toBe(true);
  });

  it("never moves a record backwards along the happy path", () => {
    expect(canTransition("CREATING", "PENDING")).toBe(false);
    expect(canTransition("AVAILABLE", "CREATING")).toBe(false);
    expect(canTransition("DELETING", "AVAILABLE")).toBe(false);
  });

  it("makes DELETED terminal and lets DELETE_FAILED be retried", () => {
    expect(TRANSITIONS.DELETED).toEqual([]);
    expect(canTransition("DELETE_FAILED", "DELETING")).toBe(true);
  });

  it("only fails a backup that is being created", () => {
    expect(sourcesOf("FAILED").sort()).toEqual(["CREATING", "PENDING"]);
  });

  it("has no transition into PENDING and no self-transitions", () => {
    expect(sourcesOf("PENDING")).toEqual([]);
    for (const s of BackupStatus.options) expect(canTransition(s, s)).toBe(false);
  });
});

describe("error names", () => {
  it("are explicit, so minified bundles keep the names Step Functions matches on", async () => {
    const errors = await import("../../lib/core/errors.ts");
    const { ProviderError } = await import("../../lib/core/provider-error.ts");
    expect(new errors.LeaseHeldError("r", "h").name).toBe("LeaseHeldError");
    expect(new errors.InvalidTransitionError("b", "A", "B").name).toBe("InvalidTransitionError");
    expect(new errors.ValidationError("x").name).toBe("ValidationError");
    expect(new errors.UnsupportedMediaTypeError(undefined).name).toBe("UnsupportedMediaTypeError");
    expect(new ProviderError({ cls: "THROTTLED", provider: "zilliz" }).name).toBe(
      "ProviderThrottled",
    );
  });
});
