import { describe, expect, it } from "vitest";
import { nextRun, scheduledTimesBetween } from "../../lib/schedule/index.ts";

/** "2026-03-29 03:00" — the wall-clock reading of an instant in a zone. */
function wall(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("sv-SE", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(instant);
}

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
const walls = (dates: Date[], timeZone: string) => dates.map((d) => wall(d, timeZone));

/** The runs of a schedule from one instant to another (ISO strings). */
const runsBetween = (schedule: Parameters<typeof nextRun>[0], from: string, to: string) =>
  scheduledTimesBetween(schedule, new Date(from), new Date(to));

describe("nextRun: cron across daylight saving in Europe/Berlin", () => {
  const berlin = (expression: string) => ({ expression, timeZone: "Europe/Berlin" });

  it("runs a 02:30 job at 03:00 CEST on spring-forward day, when 02:30 does not exist", () => {
    const runs = runsBetween(berlin("30 2 * * *"), "2026-03-27T12:00:00Z", "2026-03-30T12:00:00Z");

    expect(iso(runs)).toEqual([
      "2026-03-28T01:30:00.000Z", // 02:30 CET
      "2026-03-29T01:00:00.000Z", // the gap: first valid time after it, same day
      "2026-03-30T00:30:00.000Z", // 02:30 CEST
    ]);
    expect(walls(runs, "Europe/Berlin")).toEqual([
      "2026-03-28 02:30",
      "2026-03-29 03:00",
      "2026-03-30 02:30",
    ]);
  });

  it("runs a 02:30 job once on fall-back day, at the first of the two 02:30s", () => {
    const runs = runsBetween(berlin("30 2 * * *"), "2026-10-24T12:00:00Z", "2026-10-26T12:00:00Z");

    expect(iso(runs)).toEqual(["2026-10-25T00:30:00.000Z", "2026-10-26T01:30:00.000Z"]);
    expect(wall(runs[0]!, "Europe/Berlin")).toBe("2026-10-25 02:30");
  });

  it("does not run the second 02:30 when asked between the two passes", () => {
    const betweenPasses = new Date("2026-10-25T01:00:00Z"); // 02:00 CET, the repeated hour

    expect(nextRun(berlin("30 2 * * *"), betweenPasses).toISOString()).toBe(
      "2026-10-26T01:30:00.000Z",
    );
  });

  it.each([
    {
      day: "fall-back day",
      what: "both passes of the repeated hour run",
      from: "2026-10-25T00:00:00Z",
      to: "2026-10-25T02:00:00Z",
      expected: ["2026-10-25 02:30", "2026-10-25 02:00", "2026-10-25 02:30", "2026-10-25 03:00"],
    },
    {
      day: "spring-forward day",
      what: "the missing hour is skipped",
      from: "2026-03-29T00:00:00Z",
      to: "2026-03-29T01:30:00Z",
      expected: ["2026-03-29 01:30", "2026-03-29 03:00", "2026-03-29 03:30"],
    },
  ])("keeps an every-30-minutes job on real time on $day: $what", ({ from, to, expected }) => {
    const runs = runsBetween(berlin("*/30 * * * *"), from, to);

    expect(walls(runs, "Europe/Berlin")).toEqual(expected);
  });
});

describe("nextRun: cron across daylight saving in America/New_York", () => {
  const newYork = (expression: string) => ({ expression, timeZone: "America/New_York" });

  it("runs a 02:30 job at 03:00 EDT on 2026-03-08, when 02:30 does not exist", () => {
    const run = nextRun(newYork("30 2 * * *"), new Date("2026-03-07T12:00:00Z"));

    expect(run.toISOString()).toBe("2026-03-08T07:00:00.000Z");
    expect(wall(run, "America/New_York")).toBe("2026-03-08 03:00");
  });

  it("runs a 01:30 job once on 2026-11-01, when 01:30 happens twice", () => {
    const runs = runsBetween(newYork("30 1 * * *"), "2026-10-31T12:00:00Z", "2026-11-02T12:00:00Z");

    expect(iso(runs)).toEqual([
      "2026-11-01T05:30:00.000Z", // 01:30 EDT, the first pass
      "2026-11-02T06:30:00.000Z", // 01:30 EST the next day; 06:30Z on the 1st is skipped
    ]);
  });

  it("reads the same expression in each schedule's own zone", () => {
    const after = new Date("2026-06-01T00:00:00Z");

    const utc = nextRun({ expression: "0 9 * * 1-5" }, after);
    const ny = nextRun(newYork("0 9 * * 1-5"), after);

    expect(utc.toISOString()).toBe("2026-06-01T09:00:00.000Z");
    expect(ny.toISOString()).toBe("2026-06-01T13:00:00.000Z");
  });
});
