/**
 * Retention planning: which backups a policy keeps and why, following restic's
 * `forget` semantics exactly. Pure functions only; deleting is someone else's job.
 *
 * @example
 * import { planRetention } from "../retention/index.ts";
 * const { keep, remove } = planRetention(backups, { daily: 7, weekly: 4, timeZone: "Europe/Berlin" });
 */
export {
  formatResticDuration,
  isZeroDuration,
  parseResticDuration,
  RESTIC_DURATION_PATTERN,
  type ResticDuration,
  resticDurationProblem,
} from "./duration.ts";
export { type PlanOptions, planRetention, type RetentionPlan } from "./planner.ts";
export {
  isEmptyRetentionPolicy,
  type RetentionBackup,
  RetentionBackupSchema,
  type RetentionPolicy,
  type RetentionPolicyInput,
  RetentionPolicySchema,
} from "./policy.ts";
export { isValidTimeZone } from "./zone.ts";
