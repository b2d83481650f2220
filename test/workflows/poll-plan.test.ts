import { describe, expect, it } from "vitest";
import { medianSeconds, nextPollSeconds, remainingSeconds } from "../../lib/workflows/poll-plan.ts";

describe("the poll plan", () => {
  it("looks first when the target's history says the job ends", () => {
    expect(nextPollSeconds({ elapsedSeconds: 0, expectedSeconds: 600 })).toBe(600);
  });

  it("reads the vendor's progress as a rate, before any history", () => {
    expect(remainingSeconds({ elapsedSeconds: 60, progress: 20, expectedSeconds: 5000 })).toBe(240);
    expect(nextPollSeconds({ elapsedSeconds: 60, progress: 20 })).toBe(240);
  });

  it("looks again a step later when the job is not done at its predicted end", () => {
    // A tenth of the time so far, at least 30 s: seen at most max(30 s, 10 %) late.
    expect(nextPollSeconds({ elapsedSeconds: 600, expectedSeconds: 540 })).toBe(60);
    expect(nextPollSeconds({ elapsedSeconds: 100, expectedSeconds: 90 })).toBe(30);
    // An end predicted closer than a step is not asked about again and again.
    expect(nextPollSeconds({ elapsedSeconds: 600, progress: 99 })).toBe(60);
  });

  it("climbs the old ladder when nothing is known, then a tenth once the job runs long", () => {
    expect(nextPollSeconds({ elapsedSeconds: 0 })).toBe(15);
    expect(nextPollSeconds({ elapsedSeconds: 15, previousWaitSeconds: 15 })).toBe(23);
    expect(nextPollSeconds({ elapsedSeconds: 900, previousWaitSeconds: 120 })).toBe(120);
    // Jobs of hours are looked at every few minutes, never every two.
    expect(nextPollSeconds({ elapsedSeconds: 3600, previousWaitSeconds: 120 })).toBe(360);
  });

  it("never waits past the completion window, and always a whole second at least", () => {
    expect(
      nextPollSeconds({ elapsedSeconds: 0, expectedSeconds: 600, untilDeadlineSeconds: 100 }),
    ).toBe(101);
    expect(
      nextPollSeconds({ elapsedSeconds: 0, expectedSeconds: 600, untilDeadlineSeconds: -5 }),
    ).toBe(1);
    expect(Number.isInteger(nextPollSeconds({ elapsedSeconds: 7, progress: 3 }))).toBe(true);
  });

  it("takes the median of what durations it has", () => {
    expect(medianSeconds([])).toBeUndefined();
    expect(medianSeconds([300, 100, 200])).toBe(200);
    expect(medianSeconds([100, 200, 300, 400])).toBe(250);
    expect(medianSeconds([0, -5, Number.NaN, 90])).toBe(90);
  });
});
