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
