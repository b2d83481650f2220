import { ValidationError } from "../core/errors.ts";
import { nextCronRun } from "./cron.ts";
import { isRateExpression, nextRateRun, parseRate } from "./rate.ts";
import { type ScheduleInput, scheduleError } from "./validate.ts";

/** Default cap of {@link scheduledTimesBetween}: a week of `rate(10 minutes)` and then some. */
export const DEFAULT_MAX_TIMES = 1_000;

/**
 * The first scheduled time strictly after `after`.
 *
 * - Cron is read in the schedule's IANA zone (default UTC) with croner; see `cron.ts` for
 *   what happens on daylight-saving days (a fixed-time job such as `30 2 * * *` runs at
 *   03:00 on the spring-forward day and once on the fall-back day).
 * - `rate(N unit)` is a fixed interval on the grid `anchor + k × interval` (see `rate.ts`);
 *   `anchor` defaults to the Unix epoch and is ignored by cron schedules.
 *
 * @param schedule - a policy's schedule
 * @param after - the result is strictly later than this instant
 * @param anchor - for rates: any point of the grid, e.g. the policy's creation time
 * @throws ValidationError when the schedule is invalid or never runs again
 *
 * @example
 * nextRun({ expression: "30 2 * * *", timeZone: "Europe/Berlin" }, new Date("2026-03-28T12:00:00Z"))
 * // 2026-03-29T01:00:00.000Z — 03:00 CEST, because 02:30 does not exist that night
 */
export function nextRun(schedule: ScheduleInput, after: Date, anchor?: Date): Date {
  const next = nextOrNothing(schedule, after, anchor);
  if (next === undefined) {
    throw new ValidationError(
      `schedule ${schedule.expression} has no run after ${after.toISOString()}`,
    );
  }
  return next;
}

/**
 * Every scheduled time `t` with `from < t ≤ to`, oldest first, at most `maxTimes` of them
 * (the earliest ones). The dispatcher uses it to find runs it missed while it was down;
 * a result of exactly `maxTimes` entries means there may be more.
 *
 * @param schedule - a policy's schedule
 * @param from - exclusive lower bound
 * @param to - inclusive upper bound
 * @param anchor - for rates, as in {@link nextRun}
 * @param maxTimes - default {@link DEFAULT_MAX_TIMES}
 * @throws ValidationError when the schedule is invalid
 */
export function scheduledTimesBetween(
  schedule: ScheduleInput,
  from: Date,
  to: Date,
  anchor?: Date,
  maxTimes = DEFAULT_MAX_TIMES,
): Date[] {
  const times: Date[] = [];
  let cursor = from;
  while (times.length < maxTimes) {
    const next = nextOrNothing(schedule, cursor, anchor);
    if (next === undefined || next.getTime() > to.getTime()) break;
    times.push(next);
    cursor = next;
  }
  return times;
}

/** The next run, `undefined` when a cron never matches again; throws when invalid. */
function nextOrNothing(schedule: ScheduleInput, after: Date, anchor?: Date): Date | undefined {
  const expression = schedule.expression.trim();
  if (isRateExpression(expression)) {
    const rate = parseRate(expression);
    if (!rate.ok) throw scheduleError(schedule) ?? new ValidationError(rate.message);
    return new Date(nextRateRun(rate.intervalMs, after.getTime(), anchor?.getTime() ?? 0));
  }
  try {
    return nextCronRun(expression, schedule.timeZone ?? "UTC", after);
  } catch (error) {
    throw scheduleError(schedule) ?? error;
  }
}
