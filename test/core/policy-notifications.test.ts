import { describe, expect, it } from "vitest";
import { NotificationRouting } from "../../lib/core/policy.ts";

describe("a policy's notification routing", () => {
  it("names secrets as targets do: the secret-name characters, at most 256", () => {
    expect(NotificationRouting.safeParse({ failures: "warden/slack-oncall" }).success).toBe(true);
    for (const ref of ["", "a b", "x".repeat(257), "https://hooks.slack.com/services/T/B/x?"]) {
      expect(NotificationRouting.safeParse({ failures: ref }).success, ref).toBe(false);
    }
  });
});
