/** The only way code in `lib/` reads the time, so tests can move it. */
export interface Clock {
  now(): Date;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };

/** ISO-8601 timestamp of `clock.now()`. */
export function isoNow(clock: Clock): string {
  return clock.now().toISOString();
}
