/**
 * The schemas at the planner's edge: which backups it takes, what an invalid duration
 * reports, and which policies count as having no keep rule at all (the ones a caller
 * must refuse, because the planner would then remove everything).
 */
import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import {
  isEmptyRetentionPolicy,
  RetentionBackupSchema,
  type RetentionPolicyInput,
  RetentionPolicySchema,
} from "../../lib/retention/index.ts";

describe("RetentionBackupSchema", () => {
  it("takes a backup with an id, a timestamp with Z or an offset, and tags", () => {
    for (const createdAt of ["2024-01-01T00:00:00Z", "2024-01-01T01:00:00+01:00"]) {
      const backup = { id: "bk-01", createdAt, tags: ["nightly"] };
      expect(RetentionBackupSchema.parse(backup)).toEqual(backup);
    }
  });

  it.each<[unknown, string]>([
    [{ id: "", createdAt: "2024-01-01T00:00:00Z", tags: [] }, "an empty id"],
    [{ createdAt: "2024-01-01T00:00:00Z", tags: [] }, "no id"],
    [{ id: "a", createdAt: "2024-01-01T00:00:00", tags: [] }, "a timestamp without offset"],
    [{ id: "a", createdAt: "yesterday", tags: [] }, "no timestamp at all"],
    [{ id: "a", createdAt: "2024-01-01T00:00:00Z" }, "no tags"],
  ])("refuses %j (%s)", (value) => {
    expect(RetentionBackupSchema.safeParse(value).success).toBe(false);
  });
});

describe("RetentionPolicySchema", () => {
  it("reports an invalid duration as a custom issue on its field", () => {
    const result = RetentionPolicySchema.safeParse({ withinDaily: "7w" });
    expect(result.success).toBe(false);
    expect(result.error).toBeInstanceOf(ZodError);
    expect(result.error!.issues).toEqual([
      expect.objectContaining({
        code: "custom",
        path: ["withinDaily"],
        message: expect.stringMatching(/^invalid duration "7w": expected restic's format/),
      }),
    ]);
  });
});

describe("isEmptyRetentionPolicy", () => {
  it.each<[RetentionPolicyInput, string]>([
    [{}, "no rule"],
    [{ timeZone: "Europe/Berlin" }, "only a time zone"],
    [{ last: 0, hourly: 0, daily: 0, weekly: 0, monthly: 0, yearly: 0 }, "every count 0"],
    [{ within: "0d", withinHourly: "0h", withinDaily: "0y0m0d0h" }, "zero durations"],
    [{ withinWeekly: "0d", withinMonthly: "0m", withinYearly: "0y" }, "more zero durations"],
    [{ tags: [] }, "no tag set"],
  ])("is true for %j (%s)", (policy) => {
    expect(isEmptyRetentionPolicy(policy)).toBe(true);
  });

  it.each<[RetentionPolicyInput, string]>([
    [{ last: 1 }, "last"],
    [{ hourly: -1 }, "unlimited hourly"],
    [{ daily: 0, weekly: 2 }, "one count among zeros"],
    [{ monthly: 1 }, "monthly"],
    [{ yearly: 1 }, "yearly"],
    [{ within: "1d" }, "within"],
    [{ withinHourly: "0d", withinYearly: "1y" }, "one duration among zero ones"],
    [{ tags: [["keep"]] }, "a tag set"],
    [{ tags: [[]] }, "an empty tag set"],
    [{ keepDays: 3 }, "keepDays"],
    [{ last: 0, within: "0d", tags: [], keepDays: 1 }, "keepDays among rules that are off"],
  ])("is false for %j (%s)", (policy) => {
    expect(isEmptyRetentionPolicy(policy)).toBe(false);
  });

  it("validates the policy first", () => {
    expect(() => isEmptyRetentionPolicy({ within: "1w" })).toThrow(ZodError);
  });
});
