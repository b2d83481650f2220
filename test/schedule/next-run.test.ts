import { describe, expect, it } from "vitest";
import { ValidationError } from "../../lib/core/errors.ts";
import { nextRun, scheduledTimesBetween } from "../../lib/schedule/index.ts";

const at = (text: string) => new Date(text);

describe("nextRun: rate schedules", () => {
  const everyMinute = { expression: "rate(1 minute)" };

  it("runs rate(1 minute) on whole minutes when no anchor is given", () => {
    expect(nextRun(everyMinute, at("2026-05-01T10:00:30.250Z")).toISOString()).toBe(
      "2026-05-01T10:01:00.000Z",
    );
  });

  it("is strictly after the given instant, even when it lies on the grid", () => {
    expect(nextRun(everyMinute, at("2026-05-01T10:01:00.000Z")).toISOString()).toBe(
      "2026-05-01T10:02:00.000Z",
    );
  });

  it("phases the runs from the anchor, e.g. the policy's creation time", () => {
    const created = at("2026-05-01T09:17:42.000Z");

    const next = nextRun({ expression: "rate(6 hours)" }, at("2026-05-02T00:00:00Z"), created);

    expect(next.toISOString()).toBe("2026-05-02T03:17:42.000Z");
  });

  it("gives the same runs whether anchored at creation or at an earlier scheduled time", () => {
    const created = at("2026-05-01T09:17:42.000Z");
    const schedule = { expression: "rate(15 minutes)" };
    const previous = nextRun(schedule, at("2026-05-03T00:00:00Z"), created);

    expect(nextRun(schedule, previous, previous)).toEqual(nextRun(schedule, previous, created));
  });

  it("counts days as 24 hours: rate(1 day) ignores the zone and daylight saving", () => {
    const schedule = { expression: "rate(1 day)", timeZone: "Europe/Berlin" };

    const runs = scheduledTimesBetween(
      schedule,
      at("2026-03-28T00:00:00Z"),
      at("2026-03-30T00:00:00Z"),
    );

    expect(runs.map((r) => r.toISOString())).toEqual([
      "2026-03-29T00:00:00.000Z",
      "2026-03-30T00:00:00.000Z",
    ]);
  });

  it("accepts plural and singular units alike", () => {
    const after = at("2026-05-01T00:00:00Z");

    expect(nextRun({ expression: "rate(2 hours)" }, after).toISOString()).toBe(
      "2026-05-01T02:00:00.000Z",
    );
    expect(nextRun({ expression: "rate(1 days)" }, after).toISOString()).toBe(
      "2026-05-02T00:00:00.000Z",
    );
  });
});

describe("scheduledTimesBetween", () => {
  it("lists the runs in (from, to], oldest first", () => {
    const runs = scheduledTimesBetween(
      { expression: "rate(1 minute)" },
      at("2026-05-01T10:00:00Z"),
      at("2026-05-01T11:00:00Z"),
    );

    expect(runs).toHaveLength(60);
    expect(runs[0]?.toISOString()).toBe("2026-05-01T10:01:00.000Z");
    expect(runs.at(-1)?.toISOString()).toBe("2026-05-01T11:00:00.000Z");
  });

  it("stops at the cap, keeping the earliest runs", () => {
    const runs = scheduledTimesBetween(
      { expression: "rate(1 minute)" },
      at("2026-05-01T00:00:00Z"),
      at("2026-05-08T00:00:00Z"),
      undefined,
      100,
    );

    expect(runs).toHaveLength(100);
    expect(runs.at(-1)?.toISOString()).toBe("2026-05-01T01:40:00.000Z");
  });

  it("is empty when nothing is due in the window", () => {
    const runs = scheduledTimesBetween(
      { expression: "0 3 * * *", timeZone: "UTC" },
      at("2026-05-01T03:00:00Z"),
      at("2026-05-02T02:59:59Z"),
    );

    expect(runs).toEqual([]);
  });

  it("refuses an invalid schedule rather than returning nothing", () => {
    expect(() =>
      scheduledTimesBetween({ expression: "rate(0 minutes)" }, at("2026-05-01"), at("2026-05-02")),
    ).toThrow(ValidationError);
  });
});

describe("nextRun: cron basics", () => {
  it("is strictly after an instant that matches the expression", () => {
    expect(nextRun({ expression: "0 0 1 1 *" }, at("2026-01-01T00:00:00Z")).toISOString()).toBe(
      "2027-01-01T00:00:00.000Z",
    );
  });

  it("combines day-of-month and day-of-week with OR, as Vixie cron does", () => {
    // 2026-05-01 is a Friday: "the 15th, or any Monday" → Monday 4 May comes first.
    const next = nextRun({ expression: "0 6 15 * 1" }, at("2026-05-01T12:00:00Z"));

    expect(next.toISOString()).toBe("2026-05-04T06:00:00.000Z");
  });

  it("throws a ValidationError naming the problem for an invalid expression", () => {
    expect(() => nextRun({ expression: "0 30 2 * * *" }, at("2026-05-01"))).toThrow(
      /seconds are not supported/,
    );
    expect(() =>
      nextRun({ expression: "0 2 * * *", timeZone: "Mars/Olympus" }, at("2026-05-01")),
    ).toThrow(/unknown time zone "Mars\/Olympus"/);
  });
});
