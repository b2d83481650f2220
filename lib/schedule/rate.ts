/**
 * `rate(N minutes|hours|days)` schedules: fixed intervals on a grid.
 *
 * A rate is elapsed time, as in EventBridge: `rate(1 day)` is every 24 hours, so its
 * wall-clock time shifts by an hour across a daylight-saving change and the time zone
 * plays no part. The grid is `anchor + k × interval` for every integer k; the default
 * anchor is the Unix epoch, which puts `rate(1 hour)` on whole UTC hours and
 * `rate(15 minutes)` on quarter hours. Passing the policy's creation time (or any earlier
 * scheduled time of the same grid, which lies on the same grid) phases the runs from it.
 */

/** Milliseconds per rate unit (singular and plural spellings both accepted). */
const UNIT_MS = {
  minute: 60_000,
  minutes: 60_000,
  hour: 3_600_000,
  hours: 3_600_000,
  day: 86_400_000,
  days: 86_400_000,
} as const;

/** The longest interval we accept: beyond ten years a "schedule" is a typo. */
export const MAX_RATE_MS = 3_660 * UNIT_MS.day;

const RATE = /^rate\((\d+) (minutes?|hours?|days?)\)$/;

/** Whether an expression is written as a rate (valid or not), rather than as cron. */
export function isRateExpression(expression: string): boolean {
  return expression.trim().startsWith("rate(");
}

/**
 * The interval of a rate expression, or a message saying what is wrong with it.
 *
 * @example parseRate("rate(15 minutes)") // { ok: true, intervalMs: 900000 }
 */
export function parseRate(
  expression: string,
): { ok: true; intervalMs: number } | { ok: false; message: string } {
  const match = RATE.exec(expression.trim());
  if (match === null) {
    return {
      ok: false,
      message: "a rate is written rate(N minutes|hours|days), e.g. rate(6 hours)",
    };
  }
  const count = Number(match[1]);
  const intervalMs = count * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  if (count < 1) return { ok: false, message: "a rate must be at least 1 (rate(0 …) never runs)" };
  if (intervalMs > MAX_RATE_MS) return { ok: false, message: "a rate may be at most 3660 days" };
  return { ok: true, intervalMs };
}

/**
 * The first grid point strictly after `afterMs`.
 *
 * @param intervalMs - from {@link parseRate}
 * @param afterMs - epoch milliseconds
 * @param anchorMs - any point of the grid; default 0 (the Unix epoch)
 */
export function nextRateRun(intervalMs: number, afterMs: number, anchorMs = 0): number {
  const steps = Math.floor((afterMs - anchorMs) / intervalMs) + 1;
  return anchorMs + steps * intervalMs;
}
