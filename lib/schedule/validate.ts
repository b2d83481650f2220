import type * as z from "zod";
import { ValidationError } from "../core/errors.ts";
import type { Schedule } from "../core/policy.ts";
import { isValidTimeZone } from "../retention/zone.ts";
import { cronFor } from "./cron.ts";
import { isRateExpression, parseRate } from "./rate.ts";

/** A schedule as the evaluation functions accept it: the zone defaults to UTC. */
export type ScheduleInput = Pick<Schedule, "expression"> & { timeZone?: string };

/** One problem with a schedule, named by the field it concerns. */
export interface ScheduleIssue {
  path: "expression" | "timeZone";
  message: string;
}

/** Any instant works: it only checks that croner can find a run at all. */
const PROBE = new Date(Date.UTC(2000, 0, 1));

/**
 * Everything wrong with a schedule, in words an operator can act on; empty when valid.
 * Cron: exactly 5 fields (minute hour day-of-month month day-of-week) — no seconds, no
 * years, no `@daily` nicknames — and the expression must match some date. Time zone: an
 * IANA name the runtime knows (UTC offsets such as `+01:00` are refused: they ignore
 * daylight saving). Rate: `rate(N minutes|hours|days)` with N ≥ 1.
 *
 * @example scheduleIssues({ expression: "0 30 2 * * *", timeZone: "Europe/Berlin" })
 * // [{ path: "expression", message: "seconds are not supported: …" }]
 */
export function scheduleIssues(schedule: ScheduleInput): ScheduleIssue[] {
  const issues: ScheduleIssue[] = [];
  const timeZone = schedule.timeZone ?? "UTC";
  const zoneOk = /^[A-Za-z]/.test(timeZone) && isValidTimeZone(timeZone);
  if (!zoneOk) {
    issues.push({
      path: "timeZone",
      message: `unknown time zone "${timeZone}": use an IANA name such as Europe/Berlin or UTC`,
    });
  }
  const expression = schedule.expression.trim();
  if (isRateExpression(expression)) {
    const rate = parseRate(expression);
    if (!rate.ok) issues.push({ path: "expression", message: rate.message });
    return issues;
  }
  const message = cronProblem(expression, zoneOk ? timeZone : "UTC");
  if (message !== undefined) issues.push({ path: "expression", message });
  return issues;
}

function cronProblem(expression: string, timeZone: string): string | undefined {
  if (expression.startsWith("@")) {
    return "nicknames such as @daily are not supported: write the 5 fields (e.g. 0 0 * * *)";
  }
  const fields = expression.split(/\s+/).length;
  if (fields === 6 || fields === 7) {
    return "seconds are not supported: use a 5-field cron expression (minute hour day-of-month month day-of-week)";
  }
  if (fields !== 5) {
    return `a cron expression has 5 fields (minute hour day-of-month month day-of-week), got ${fields}`;
  }
  try {
    const cron = cronFor(expression, timeZone);
    if (cron.nextRun(PROBE) === null)
      return "the expression never matches a date (e.g. 30 February)";
  } catch (error) {
    return `invalid cron expression: ${(error as Error).message.replace(/^CronPattern: /, "")}`;
  }
  return undefined;
}

/**
 * Throws a {@link ValidationError} (400, field issues under `schedule.`) when the
 * schedule cannot be evaluated; use it where a policy is accepted.
 */
export function validateSchedule(schedule: ScheduleInput): void {
  const error = scheduleError(schedule);
  if (error !== undefined) throw error;
}

/** The {@link ValidationError} {@link validateSchedule} would throw, or `undefined`. */
export function scheduleError(schedule: ScheduleInput): ValidationError | undefined {
  const issues = scheduleIssues(schedule);
  if (issues.length === 0) return undefined;
  return new ValidationError(
    `invalid schedule: ${issues.map((i) => i.message).join("; ")}`,
    issues.map((i) => ({ path: `schedule.${i.path}`, message: i.message })),
  );
}

/**
 * The same checks as a zod refinement, so a schema reports them with its other issues.
 *
 * @example const ValidSchedule = Schedule.superRefine(refineSchedule);
 */
export function refineSchedule(schedule: ScheduleInput, ctx: z.RefinementCtx): void {
  for (const issue of scheduleIssues(schedule)) {
    ctx.addIssue({ code: "custom", path: [issue.path], message: issue.message });
  }
}
