import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isValidTimeZone, ZoneClock } from "../../lib/retention/zone.ts";
import { intlWallClock } from "../support/wall-clock.ts";

const ZONES = [
  "Europe/Berlin",
  "America/New_York",
  "Australia/Lord_Howe",
  "Asia/Kathmandu",
  "Pacific/Chatham",
  "Africa/Casablanca",
  "Europe/Amsterdam",
  "America/Sao_Paulo",
];

/** The offset the slow, obvious way: read the wall clock with Intl and diff it. */
function referenceOffset(timeZone: string, instant: number): number {
  const { year, month, day, hour, minute, second } = intlWallClock(timeZone, instant);
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  return wall - (instant - (((instant % 1000) + 1000) % 1000));
}

describe("ZoneClock", () => {
  it("matches Intl's offset at any instant, including local mean time and odd offsets", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({ min: Date.UTC(1880, 0, 1), max: Date.UTC(2060, 0, 1) }),
        (timeZone, instant) => {
          expect(new ZoneClock(timeZone).offsetAt(instant)).toBe(
            referenceOffset(timeZone, instant),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it("switches offset at the exact second of a transition", () => {
    const berlin = new ZoneClock("Europe/Berlin");
    const change = Date.parse("2024-03-31T01:00:00Z");
    expect(berlin.offsetAt(change - 1)).toBe(3_600_000);
    expect(berlin.offsetAt(change)).toBe(7_200_000);
    expect(berlin.offsetAt(Date.parse("2024-10-27T00:59:59.999Z"))).toBe(7_200_000);
    expect(berlin.offsetAt(Date.parse("2024-10-27T01:00:00Z"))).toBe(3_600_000);
  });

  it("resolves wall-clock gaps and overlaps like Go's time.Date", () => {
    const berlin = new ZoneClock("Europe/Berlin");
    // 02:30 does not exist on 2024-03-31: Go moves it forward to 03:30 CEST.
    expect(berlin.fromLocal(Date.parse("2024-03-31T02:30:00Z"))).toBe(
      Date.parse("2024-03-31T01:30:00Z"),
    );
    // 02:30 happens twice on 2024-10-27: Go picks the second one (CET).
    expect(berlin.fromLocal(Date.parse("2024-10-27T02:30:00Z"))).toBe(
      Date.parse("2024-10-27T01:30:00Z"),
    );
    expect(berlin.fromLocal(Date.parse("2024-07-01T12:00:00Z"))).toBe(
      Date.parse("2024-07-01T10:00:00Z"),
    );
  });

  it("accepts IANA names and rejects made-up ones", () => {
    expect(isValidTimeZone("Europe/Berlin")).toBe(true);
    expect(isValidTimeZone("UTC")).toBe(true);
    expect(isValidTimeZone("Europe/Atlantis")).toBe(false);
    expect(isValidTimeZone("")).toBe(false);
  });
});
