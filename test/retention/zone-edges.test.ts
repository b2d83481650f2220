/**
 * ZoneClock's caches must not change its answers: a transition day looked up again after
 * other days gives the same offsets as the first time.
 */
import { describe, expect, it } from "vitest";
import { ZoneClock } from "../../lib/retention/zone.ts";

const CET = 3_600_000;
const CEST = 7_200_000;

describe("ZoneClock: revisiting days", () => {
  it("gives the same offsets on a transition day when it comes back to it", () => {
    const berlin = new ZoneClock("Europe/Berlin");
    const before = Date.parse("2024-03-31T00:30:00Z");
    const after = Date.parse("2024-03-31T01:30:00Z");
    const answers = () => [berlin.offsetAt(before), berlin.offsetAt(after)];
    expect(answers()).toEqual([CET, CEST]);
    berlin.offsetAt(Date.parse("2024-04-15T12:00:00Z"));
    expect(answers()).toEqual([CET, CEST]);
    berlin.offsetAt(Date.parse("2024-03-01T12:00:00Z"));
    expect(berlin.offsetAt(after)).toBe(CEST);
    expect(berlin.offsetAt(before)).toBe(CET);
  });

  it("round-trips unambiguous wall-clock readings around the autumn transition, in any order", () => {
    const berlin = new ZoneClock("Europe/Berlin");
    // 2024-10-27 00:00Z-01:00Z reads 02:00-03:00 twice in Berlin; these instants do not.
    const instants = [
      "2024-10-26T23:30:00Z",
      "2024-11-05T00:00:00Z",
      "2024-10-27T01:30:00Z",
      "2024-10-20T00:00:00Z",
      "2024-10-26T23:30:00Z",
      "2024-10-27T22:00:00Z",
    ].map(Date.parse);
    for (const instant of instants) {
      expect(berlin.fromLocal(berlin.toLocal(instant))).toBe(instant);
    }
  });

  it("treats UTC and Etc/UTC as offset zero at any instant", () => {
    for (const zone of ["UTC", "Etc/UTC"]) {
      const clock = new ZoneClock(zone);
      expect(clock.offsetAt(Date.parse("2024-07-01T00:00:00Z"))).toBe(0);
      expect(clock.fromLocal(Date.parse("2024-07-01T00:00:00Z"))).toBe(
        Date.parse("2024-07-01T00:00:00Z"),
      );
    }
  });
});
