/**
 * Retention policies and the backups they are applied to, as zod schemas. The rule
 * fields mirror restic's `forget --keep-*` flags one to one; `keepDays` and `timeZone`
 * are ours.
 */
import * as z from "zod";
import { parseIsoInstant } from "./calendar.ts";
import { isZeroDuration, parseResticDuration, resticDurationProblem } from "./duration.ts";
import { isValidTimeZone } from "./zone.ts";

const count = z
  .number()
  .int()
  .min(-1, { message: "must be -1 (unlimited), 0 (rule off) or a positive count" });

const duration = z.string().superRefine((text, ctx) => {
  const problem = resticDurationProblem(text);
  if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
});

// restic splits each `--keep-tag a,b` value on commas into one tag set, so a tag can
// never contain a comma there. We take the sets already split; a comma here almost
// certainly means CLI syntax was pasted, which would silently never match.
const tag = z.string().refine((value) => !value.includes(","), {
  message: 'a tag must not contain ","; write restic\'s "--keep-tag a,b" as ["a", "b"]',
});

/**
 * A retention policy. Counts: `-1` = unlimited, `0` or absent = rule off.
 * `tags` is a list of tag sets: a backup is kept when it carries every tag of at least
 * one set (restic's repeated `--keep-tag`; within a set the tags are AND-ed, the sets are
 * OR-ed; an empty-string tag matches a backup without tags). `within*` are restic
 * durations measured back from the newest backup; `keepDays` is measured back from `now`.
 * Unknown keys are rejected: a misspelt rule would otherwise leave a policy that keeps less.
 */
export const RetentionPolicySchema = z.strictObject({
  last: count.optional(),
  hourly: count.optional(),
  daily: count.optional(),
  weekly: count.optional(),
  monthly: count.optional(),
  yearly: count.optional(),
  within: duration.optional(),
  withinHourly: duration.optional(),
  withinDaily: duration.optional(),
  withinWeekly: duration.optional(),
  withinMonthly: duration.optional(),
  withinYearly: duration.optional(),
  tags: z.array(z.array(tag)).optional(),
  keepDays: z.number().int().positive().optional(),
  timeZone: z
    .string()
    .refine(isValidTimeZone, { message: "must be an IANA time zone such as Europe/Berlin" })
    .default("UTC"),
});

/** A validated policy (defaults applied, so `timeZone` is always present). */
export type RetentionPolicy = z.infer<typeof RetentionPolicySchema>;
/** A policy as callers write it, before defaults (`timeZone` optional). */
export type RetentionPolicyInput = z.input<typeof RetentionPolicySchema>;

/** One backup as the planner sees it. `createdAt` must carry `Z` or an explicit offset. */
export const RetentionBackupSchema = z.object({
  id: z.string().min(1),
  createdAt: z.iso.datetime({ offset: true }),
  tags: z.array(z.string()),
});

/** One backup as the planner sees it. */
export type RetentionBackup = z.infer<typeof RetentionBackupSchema>;

/**
 * Epoch milliseconds of a backup's `createdAt`, without the cost of a zod parse per backup.
 *
 * @param backup - the backup
 * @throws RangeError naming the backup when `createdAt` is not an ISO-8601 instant with an offset
 */
export function backupInstant(backup: RetentionBackup): number {
  const instant = parseIsoInstant(backup.createdAt);
  if (Number.isNaN(instant)) {
    throw new RangeError(
      `backup ${backup.id}: createdAt "${backup.createdAt}" is not an ISO-8601 timestamp with Z or an offset`,
    );
  }
  return instant;
}

/**
 * Whether a policy has no keep rule at all (restic's `ExpirePolicy.Empty`, extended to
 * `keepDays`). The planner, like restic's `ApplyPolicy`, keeps NOTHING for such a policy;
 * callers that must never delete everything should refuse it first, as restic's `forget`
 * command does ("no policy was specified, no snapshots will be removed").
 *
 * @param input - a policy; it is validated first
 * @throws ZodError when the policy is invalid
 */
export function isEmptyRetentionPolicy(input: RetentionPolicyInput): boolean {
  const policy = RetentionPolicySchema.parse(input);
  const counts = [
    policy.last,
    policy.hourly,
    policy.daily,
    policy.weekly,
    policy.monthly,
    policy.yearly,
  ];
  const durations = [
    policy.within,
    policy.withinHourly,
    policy.withinDaily,
    policy.withinWeekly,
    policy.withinMonthly,
    policy.withinYearly,
  ];
  return (
    counts.every((value) => value === undefined || value === 0) &&
    durations.every((value) => value === undefined || isZeroDuration(parseResticDuration(value))) &&
    (policy.tags === undefined || policy.tags.length === 0) &&
    policy.keepDays === undefined
  );
}
