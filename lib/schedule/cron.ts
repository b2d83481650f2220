import { Cron } from "croner";

/**
 * Cron evaluation through croner, in the schedule's IANA zone.
 *
 * Daylight-saving behaviour is croner's (the same as croner-rust, after Vixie cron):
 * - a *fixed-time* expression (a single value in minute and hour, e.g. `30 2 * * *`) whose
 *   time does not exist on a spring-forward day runs at the first valid time after the
 *   gap (03:00 local), and runs once — at the first occurrence — on a fall-back day;
 * - an *interval* expression (a wildcard, step, list or range in minute or hour, e.g.
 *   `*\/30 * * * *` or `0 1,2 * * *`) skips the times in the gap and runs on both
 *   occurrences of a repeated time, so it keeps its cadence through the repeated hour.
 * Day-of-month and day-of-week combine with OR when both are restricted, as in Vixie cron.
 */

/** Parsed patterns, reused across calls: the dispatcher evaluates the same few often. */
const cache = new Map<string, Cron>();
const CACHE_LIMIT = 512;

/**
 * A paused croner job for a 5-field expression in a zone. Throws croner's error for an
 * invalid expression (callers validate first; see `validateSchedule`).
 */
export function cronFor(expression: string, timeZone: string): Cron {
  const key = `${timeZone}\u0000${expression}`;
  let cron = cache.get(key);
  if (cron === undefined) {
    // No callback and `paused`: croner only computes dates, it never starts a timer.
    cron = new Cron(expression, { timezone: timeZone, mode: "5-part", paused: true });
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, cron);
  }
  return cron;
}

/**
 * The first run strictly after `after`, or `undefined` when the expression never
 * matches again (e.g. `0 0 30 2 *`).
 */
export function nextCronRun(expression: string, timeZone: string, after: Date): Date | undefined {
  return cronFor(expression, timeZone).nextRun(after) ?? undefined;
}
