import type { Clock } from "../../lib/core/clock.ts";

/**
 * Time that stands still unless a test moves it: `advance` by hand, or `sleep` (which
 * moves it and records the wait, for code that waits). `ms()` reads it as epoch
 * milliseconds, the shape the simulators take.
 */
export function manualClock(start = Date.parse("2026-11-01T00:00:00.000Z")) {
  let now = start;
  const sleeps: number[] = [];
  return {
    now: () => new Date(now),
    ms: () => now,
    advance: (ms: number) => {
      now += ms;
    },
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    /** Every wait `sleep` was asked for, in order. */
    sleeps,
  } satisfies Clock & Record<string, unknown>;
}
export type ManualClock = ReturnType<typeof manualClock>;

/** The wall clock, plus an offset a test can push forward (for code that really waits). */
export function offsetClock(): Clock & { advance(ms: number): void } {
  let offset = 0;
  return {
    now: () => new Date(Date.now() + offset),
    advance: (ms) => {
      offset += ms;
    },
  };
}

/**
 * Epoch milliseconds that move only when the test moves them; `sleep` waits until the test
 * passes the wake-up time, so concurrent callers really wait for one another (a rate
 * limiter's next window). `sleeping()` says how many wait, for a test that moves time on
 * once every caller has settled.
 */
export function steppedClock(start: number) {
  let now = start;
  const sleepers: { until: number; wake: () => void }[] = [];
  return {
    now: () => now,
    sleep: (ms: number) =>
      new Promise<void>((wake) => {
        sleepers.push({ until: now + ms, wake });
      }),
    sleeping: () => sleepers.length,
    /** Moves time on and wakes every sleeper due by then. */
    advanceTo(instant: number) {
      now = instant;
      const due = sleepers.filter((s) => s.until <= now);
      for (const s of due) sleepers.splice(sleepers.indexOf(s), 1);
      for (const s of due) s.wake();
    },
  };
}
export type SteppedClock = ReturnType<typeof steppedClock>;
