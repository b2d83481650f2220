export { DEFAULT_MAX_TIMES, nextRun, scheduledTimesBetween } from "./next-run.ts";
export { isRateExpression, MAX_RATE_MS, parseRate } from "./rate.ts";
export {
  refineSchedule,
  type ScheduleInput,
  type ScheduleIssue,
  scheduleError,
  scheduleIssues,
  validateSchedule,
} from "./validate.ts";
