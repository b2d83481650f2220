import { describe, expect, it } from "vitest";
import * as z from "zod";
import { ValidationError } from "../../lib/core/errors.ts";
import { refineSchedule, scheduleIssues, validateSchedule } from "../../lib/schedule/index.ts";

const messages = (expression: string, timeZone = "UTC") =>
  scheduleIssues({ expression, timeZone }).map((i) => `${i.path}: ${i.message}`);

describe("scheduleIssues", () => {
  it("accepts 5-field cron in an IANA zone and rates", () => {
    expect(messages("30 2 * * *", "Europe/Berlin")).toEqual([]);
    expect(messages("*/15 8-18 * * MON-FRI", "America/New_York")).toEqual([]);
    expect(messages("rate(1 minute)")).toEqual([]);
    expect(messages("rate(12 hours)", "Asia/Kathmandu")).toEqual([]);
  });

  it("refuses seconds (6 or 7 fields) with a message that says so", () => {
    expect(messages("0 30 2 * * *")).toEqual([
      "expression: seconds are not supported: use a 5-field cron expression (minute hour day-of-month month day-of-week)",
    ]);
    expect(messages("0 30 2 * * * 2027")[0]).toContain("seconds are not supported");
  });

  it("refuses other field counts and nicknames", () => {
    expect(messages("30 2 * *")).toEqual([
      "expression: a cron expression has 5 fields (minute hour day-of-month month day-of-week), got 4",
    ]);
    expect(messages("@daily")[0]).toContain("nicknames such as @daily are not supported");
  });

  it("passes on croner's reason for an out-of-range field", () => {
    expect(messages("61 * * * *")).toEqual([
      "expression: invalid cron expression: Invalid value for minute: 61",
    ]);
  });

  it("refuses an expression that can never match", () => {
    expect(messages("0 0 30 2 *")).toEqual([
      "expression: the expression never matches a date (e.g. 30 February)",
    ]);
  });

  it("refuses unknown zones and bare UTC offsets", () => {
    const hint = "use an IANA name such as Europe/Berlin or UTC";

    expect(messages("0 2 * * *", "Europe/Atlantis")).toEqual([
      `timeZone: unknown time zone "Europe/Atlantis": ${hint}`,
    ]);
    expect(messages("0 2 * * *", "+01:00")).toEqual([
      `timeZone: unknown time zone "+01:00": ${hint}`,
    ]);
  });

  it("refuses a zero or malformed rate", () => {
    expect(messages("rate(0 minutes)")).toEqual([
      "expression: a rate must be at least 1 (rate(0 …) never runs)",
    ]);
    expect(messages("rate(2 weeks)")).toEqual([
      "expression: a rate is written rate(N minutes|hours|days), e.g. rate(6 hours)",
    ]);
  });

  it("reports a bad zone and a bad expression together", () => {
    expect(messages("0 30 2 * * *", "Nowhere/Town")).toHaveLength(2);
  });
});

describe("validateSchedule", () => {
  it("throws a 400 ValidationError with field issues under schedule.", () => {
    let caught: unknown;
    try {
      validateSchedule({ expression: "* * * * * *", timeZone: "UTC" });
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).status).toBe(400);
    expect((caught as ValidationError).issues).toEqual([
      { path: "schedule.expression", message: expect.stringContaining("seconds") },
    ]);
  });

  it("returns quietly for a valid schedule", () => {
    expect(() => validateSchedule({ expression: "0 3 * * *" })).not.toThrow();
  });
});

describe("refineSchedule", () => {
  it("adds the issues to a zod schema's result at the right paths", () => {
    const schema = z
      .object({ expression: z.string(), timeZone: z.string() })
      .superRefine(refineSchedule);

    const result = schema.safeParse({ expression: "0 0 30 2 *", timeZone: "Mars/Base" });

    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join("."))).toEqual(["timeZone", "expression"]);
  });
});
