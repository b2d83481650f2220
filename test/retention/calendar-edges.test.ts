/**
 * The strict timestamp parser and the duration grammar, field by field: every
 * separator, every bound and every leap-year rule that decides whether a `createdAt` or
 * a `within` value is accepted at all.
 */
import { describe, expect, it } from "vitest";
import { civilFromDays, daysFromCivil, parseIsoInstant } from "../../lib/retention/calendar.ts";
import {
  isZeroDuration,
  parseResticDuration,
  RESTIC_DURATION_PATTERN,
  resticDurationProblem,
} from "../../lib/retention/duration.ts";

describe("parseIsoInstant: what it accepts", () => {
  it.each([
    ["2024-02-29T00:00:00Z", "leap day of a leap year"],
    ["2000-02-29T00:00:00Z", "leap day of a year divisible by 400"],
    ["2024-01-31T00:00:00Z", "January 31"],
    ["2024-03-31T00:00:00Z", "March 31"],
    ["2024-12-31T23:59:59Z", "the last second of a year"],
    ["2024-04-30T00:00:00Z", "April 30"],
  ])("%s (%s)", (text) => {
    expect(parseIsoInstant(text)).toBe(Date.parse(text));
  });

  it("applies the offset in both directions", () => {
    const instant = Date.parse("2024-01-01T00:00:00Z");
    expect(parseIsoInstant("2024-01-01T01:30:00+01:30")).toBe(instant);
    expect(parseIsoInstant("2023-12-31T22:15:00-01:45")).toBe(instant);
    expect(parseIsoInstant("2024-01-01T00:00:00+00:00")).toBe(instant);
    expect(parseIsoInstant("2024-01-01T23:59:00+23:59")).toBe(instant);
  });
});

describe("parseIsoInstant: what it refuses", () => {
  it.each([
    ["2024-04-31T00:00:00Z", "April 31"],
    ["2024-06-31T00:00:00Z", "June 31"],
    ["2024-09-31T00:00:00Z", "September 31"],
    ["2024-11-31T00:00:00Z", "November 31"],
    ["2024-01-32T00:00:00Z", "January 32"],
    ["1900-02-29T00:00:00Z", "Feb 29 of a century year not divisible by 400"],
    ["2100-02-29T00:00:00Z", "Feb 29 of 2100"],
    ["2024-01-00T00:00:00Z", "day 0"],
    ["2024-00-10T00:00:00Z", "month 0"],
    ["2024-13-10T00:00:00Z", "month 13"],
    ["2024-01-01T00:60:00Z", "minute 60"],
    ["2024-01-01T00:00:60Z", "second 60"],
    ["2024_01-01T00:00:00Z", "no dash after the year"],
    ["2024-01_01T00:00:00Z", "no dash after the month"],
    ["2024-01-01T00_00:00Z", "no colon after the hour"],
    ["2024-01-01T00:00_00Z", "no colon after the minute"],
    ["20/4-01-01T00:00:00Z", "a character below 0 in a number"],
    ["20a4-01-01T00:00:00Z", "a character above 9 in a number"],
    ["2024-01-01T00:00:0Z", "a one-digit second"],
    ["2024-01-01T00:00:00A", "a zone letter other than Z"],
    ["2024-01-01T00:00:00z", "a lower-case z"],
    ["2024-01-01T00:00:00*01:00", "an offset sign other than + or -"],
    ["2024-01-01T00:00:00+01:00:00", "an offset with seconds"],
    ["2024-01-01T00:00:00+01:00Z", "an offset followed by Z"],
    ["2024-01-01T00:00:00+01.00", "an offset without its colon"],
    ["2024-01-01T00:00:00+01:60", "offset minutes 60"],
    ["2024-01-01T00:00:00+1a:00", "offset hours that are not digits"],
  ])("%s (%s)", (text) => {
    expect(parseIsoInstant(text)).toBeNaN();
  });
});

describe("civil dates around every new year of a 400-year era", () => {
  it("round-trips and matches Date on Dec 31, Jan 1, Feb 28/29 and Mar 1 of 1970-2400", () => {
    for (let year = 1970; year <= 2400; year++) {
      const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
      const dates: Array<[number, number]> = [
        [1, 1],
        [2, 28],
        [3, 1],
        [12, 31],
      ];
      if (leap) dates.push([2, 29]);
      for (const [month, day] of dates) {
        const days = daysFromCivil(year, month, day);
        expect(days * 86_400_000).toBe(Date.UTC(year, month - 1, day));
        expect(civilFromDays(days)).toEqual({ year, month, day });
      }
    }
  });
});

describe("civil dates at the end of a 400-year era", () => {
  it.each([
    [1600, 2, 29],
    [2000, 2, 29],
    [2400, 2, 29],
    [2000, 3, 1],
    [1999, 12, 31],
  ])("round-trips %i-%i-%i", (year, month, day) => {
    expect(civilFromDays(daysFromCivil(year, month, day))).toEqual({ year, month, day });
  });
});

describe("restic durations: grammar and bounds", () => {
  it("anchors the pattern at both ends", () => {
    expect(RESTIC_DURATION_PATTERN.test("1dx")).toBe(false);
    expect(RESTIC_DURATION_PATTERN.test("x1d")).toBe(false);
    expect(resticDurationProblem("1d ")).toMatch(/invalid duration "1d "/);
    expect(resticDurationProblem("1d2")).toMatch(/invalid duration/);
  });

  it("accepts each number up to one million and no further", () => {
    expect(resticDurationProblem("1000000d")).toBeUndefined();
    expect(parseResticDuration("1000000h").hours).toBe(1_000_000);
    expect(resticDurationProblem("1000001d")).toBe(
      'invalid duration "1000001d": each number must be at most 1000000',
    );
  });

  it("throws the problem as a RangeError when parsing", () => {
    expect(() => parseResticDuration("2w")).toThrow(RangeError);
    expect(() => parseResticDuration("1h2h")).toThrow(
      'invalid duration "1h2h": unit "h" appears twice',
    );
  });

  it("is zero only when every component is", () => {
    expect(isZeroDuration(parseResticDuration("0y0m0d0h"))).toBe(true);
    for (const text of ["1y", "1m", "1d", "1h", "0y0m0d1h"]) {
      expect(isZeroDuration(parseResticDuration(text)), text).toBe(false);
    }
  });
});
