import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  civilFromDays,
  DAY_MS,
  daysFromCivil,
  isoYearWeek,
  parseIsoInstant,
} from "../../lib/retention/calendar.ts";
import {
  formatResticDuration,
  parseResticDuration,
  resticDurationProblem,
} from "../../lib/retention/duration.ts";

const instantArb = fc.integer({ min: Date.UTC(1000, 0, 1), max: Date.UTC(9999, 11, 31) });

function withOffset(instant: number, minutes: number): string {
  const wall = new Date(instant + minutes * 60_000).toISOString().slice(0, -1);
  const abs = Math.abs(minutes);
  const hhmm = `${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
  return `${wall}${minutes < 0 ? "-" : "+"}${hhmm}`;
}

describe("parseIsoInstant", () => {
  it("agrees with Date.parse on Z and offset timestamps", () => {
    fc.assert(
      fc.property(
        instantArb,
        fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
        (at, offset) => {
          const zulu = new Date(at).toISOString();
          expect(parseIsoInstant(zulu)).toBe(at);
          expect(parseIsoInstant(withOffset(at, offset))).toBe(at);
        },
      ),
    );
  });

  it("truncates fractions beyond milliseconds and accepts short ones", () => {
    expect(parseIsoInstant("2014-08-13T10:20:30.1Z")).toBe(Date.parse("2014-08-13T10:20:30.100Z"));
    expect(parseIsoInstant("2014-08-13T10:20:30.123999999Z")).toBe(
      Date.parse("2014-08-13T10:20:30.123Z"),
    );
  });

  it.each([
    "2024-01-01T00:00:00",
    "2024-01-01T00:00Z",
    "2024-02-30T00:00:00Z",
    "2023-02-29T00:00:00Z",
    "2024-01-01T24:00:00Z",
    "2024-01-01 00:00:00Z",
    "2024-01-01T00:00:00.Z",
    "2024-01-01T00:00:00+0100",
    "2024-01-01T00:00:00+24:00",
    "2024-01-01T00:00:00Zjunk",
  ])("rejects %j", (text) => {
    expect(parseIsoInstant(text)).toBeNaN();
  });
});

describe("civil date arithmetic", () => {
  it("round-trips day numbers and matches Date", () => {
    fc.assert(
      fc.property(fc.integer({ min: -800_000, max: 3_000_000 }), (days) => {
        const { year, month, day } = civilFromDays(days);
        expect(daysFromCivil(year, month, day)).toBe(days);
        if (year >= 100) {
          expect(Date.UTC(year, month - 1, day)).toBe(days * DAY_MS);
        }
      }),
    );
  });

  it("carries an overflowing day into the next month, like Go's time.Date", () => {
    expect(civilFromDays(daysFromCivil(2015, 2, 31))).toEqual({ year: 2015, month: 3, day: 3 });
    expect(civilFromDays(daysFromCivil(2016, 2, 31))).toEqual({ year: 2016, month: 3, day: 2 });
  });

  it.each([
    ["2020-12-31", 202053],
    ["2021-01-03", 202053],
    ["2021-01-04", 202101],
    ["2018-12-31", 201901],
    ["2016-01-03", 201553],
  ])("puts %s into ISO week %i", (date, expected) => {
    expect(isoYearWeek(Date.parse(`${date}T00:00:00Z`) / DAY_MS)).toBe(expected);
  });
});

describe("restic durations", () => {
  it("parses units in any order and prints them in restic's order", () => {
    expect(parseResticDuration("1y1d1m")).toEqual({ years: 1, months: 1, days: 1, hours: 0 });
    expect(formatResticDuration(parseResticDuration("1y1d1m"))).toBe("1y1m1d");
    expect(formatResticDuration(parseResticDuration("0y13d23h"))).toBe("13d23h");
  });

  it("explains what is wrong", () => {
    expect(resticDurationProblem("2w")).toMatch(/units: y years, m months, d days, h hours/);
    expect(resticDurationProblem("1h2h")).toMatch(/unit "h" appears twice/);
    expect(resticDurationProblem("9999999d")).toMatch(/at most/);
    expect(resticDurationProblem("9999y")).toBeUndefined();
  });
});
