/**
 * The retention planner: a faithful port of restic's `ApplyPolicy`
 * (`internal/data/snapshot_policy.go`), plus our `keepDays` rule and bucketing in a
 * configurable time zone. Pure: no I/O, and the only clock is `options.now`.
 */
import { civilFromDays, DAY_MS, daysFromCivil, HOUR_MS, isoYearWeek } from "./calendar.ts";
import {
  formatResticDuration,
  isZeroDuration,
  parseResticDuration,
  type ResticDuration,
} from "./duration.ts";
import {
  backupInstant,
  type RetentionBackup,
  type RetentionPolicy,
  type RetentionPolicyInput,
  RetentionPolicySchema,
} from "./policy.ts";
import { ZoneClock } from "./zone.ts";

/** What to keep (with restic-style reasons) and what to remove; both newest first. */
export interface RetentionPlan {
  keep: Array<{ id: string; reasons: string[] }>;
  remove: Array<{ id: string }>;
}

/** Planner options. */
export interface PlanOptions {
  /** "Now" for `keepDays` and for ignoring future backups as the `within` anchor. */
  now?: Date;
}

type BucketKind = "last" | "hourly" | "daily" | "weekly" | "monthly" | "yearly";

/** Go's zero `time.Time` (0001-01-01T00:00:00Z): restic's anchor when no backup is in the past. */
const GO_ZERO_TIME_MS = -62_135_596_800_000;

interface Entry {
  id: string;
  time: number;
  tags: readonly string[];
}

/**
 * restic's bucket functions (`ymdh`, `ymd`, `yw`, `ym`, `y`, `always`) on a local reading.
 * Keys are never -1 for years ≥ 0, so -1 works as restic's "no bucket yet" marker.
 */
function bucketValue(kind: BucketKind, localMs: number, nr: number): number {
  if (kind === "last") return nr;
  const days = Math.floor(localMs / DAY_MS);
  if (kind === "weekly") return isoYearWeek(days);
  const { year, month, day } = civilFromDays(days);
  if (kind === "hourly") {
    const hour = Math.floor((localMs - days * DAY_MS) / HOUR_MS);
    return year * 1_000_000 + month * 10_000 + day * 100 + hour;
  }
  if (kind === "daily") return year * 10_000 + month * 100 + day;
  return kind === "monthly" ? year * 100 + month : year;
}

/** Go's `latest.AddDate(-y, -m, -d).Add(-h * time.Hour)`, calendar arithmetic in `zone`. */
function withinThreshold(latest: number, duration: ResticDuration, zone: ZoneClock): number {
  const local = zone.toLocal(latest);
  const days = Math.floor(local / DAY_MS);
  const { year, month, day } = civilFromDays(days);
  // Like time.Date: months carry into years first, then an overflowing day carries into
  // the next month (2016-03-31 minus 1m is "2016-02-31", i.e. 2016-03-02).
  const monthIndex = month - 1 - duration.months;
  const shiftedYear = year - duration.years + Math.floor(monthIndex / 12);
  const shiftedMonth = (((monthIndex % 12) + 12) % 12) + 1;
  const shiftedDays = daysFromCivil(shiftedYear, shiftedMonth, day) - duration.days;
  const shiftedLocal = shiftedDays * DAY_MS + (local - days * DAY_MS);
  return zone.fromLocal(shiftedLocal) - duration.hours * HOUR_MS;
}

/** restic's `Snapshot.HasTags`, including its quirk: `""` matches an untagged backup at once. */
function hasTags(backupTags: readonly string[], wanted: readonly string[]): boolean {
  for (const tag of wanted) {
    if (tag === "" && backupTags.length === 0) return true;
    if (!backupTags.includes(tag)) return false;
  }
  return true;
}

/**
 * Turns a policy into restic's rule tables, in restic's evaluation order; rules that are
 * off (count 0, zero duration) are left out. `threshold` maps a duration to its cut-off.
 */
function compileRules(policy: RetentionPolicy, threshold: (duration: ResticDuration) => number) {
  const counted = (
    [
      ["last", policy.last, "last snapshot"],
      ["hourly", policy.hourly, "hourly snapshot"],
      ["daily", policy.daily, "daily snapshot"],
      ["weekly", policy.weekly, "weekly snapshot"],
      ["monthly", policy.monthly, "monthly snapshot"],
      ["yearly", policy.yearly, "yearly snapshot"],
    ] as const
  )
    .filter(([, count]) => count !== undefined && count !== 0)
    .map(([kind, count, reason]) => ({ kind, count: count!, reason, last: -1 }));
  const windowed = (
    [
      ["hourly", policy.withinHourly, "hourly within"],
      ["daily", policy.withinDaily, "daily within"],
      ["weekly", policy.withinWeekly, "weekly within"],
      ["monthly", policy.withinMonthly, "monthly within"],
      ["yearly", policy.withinYearly, "yearly within"],
    ] as const
  )
    .map(([kind, text, reason]) => ({ kind, reason, duration: parseResticDuration(text ?? "0h") }))
    .filter(({ duration }) => !isZeroDuration(duration))
    .map(({ kind, reason, duration }) => ({
      kind,
      reason,
      suffix: ` ${formatResticDuration(duration)}`,
      threshold: threshold(duration),
      last: -1,
    }));
  const duration = parseResticDuration(policy.within ?? "0h");
  const within = isZeroDuration(duration)
    ? undefined
    : { threshold: threshold(duration), reason: `within ${formatResticDuration(duration)}` };
  const tagSets = (policy.tags ?? []).map((set) => ({
    set,
    reason: `has tags [${set.join(", ")}]`,
  }));
  return { counted, windowed, within, tagSets };
}

function sortNewestFirst(backups: readonly RetentionBackup[]): Entry[] {
  const seen = new Set<string>();
  const entries = backups.map((backup): Entry => {
    // A duplicate id would let "remove" delete the very backup that "keep" names.
    if (seen.has(backup.id)) throw new RangeError(`duplicate backup id ${backup.id}`);
    seen.add(backup.id);
    return { id: backup.id, time: backupInstant(backup), tags: backup.tags };
  });
  // restic uses a stable sort on time only; ties broken by id make us input-order independent.
  return entries.sort((a, b) => b.time - a.time || (a.id < b.id ? -1 : 1));
}

/**
 * Decides which backups a policy keeps, exactly as restic's `forget` would (with buckets
 * taken in `policy.timeZone`), plus `keepDays`: keep when `now - createdAt < keepDays` days,
 * reason `"within keepDays <n>"`. Reasons are restic's (`"daily snapshot"`,
 * `"oldest yearly snapshot"`, `"within 1y1m1d"`, `"has tags [a, b]"`, …) and listed in
 * restic's order, then `keepDays`.
 *
 * A policy without any rule keeps NOTHING, as restic's `ApplyPolicy` does; guard with
 * {@link isEmptyRetentionPolicy} where that must not happen.
 *
 * @param backups - backups with unique ids, in any order
 * @param policyInput - the policy; validated with {@link RetentionPolicySchema}
 * @param options - `now` (default: the wall clock)
 * @returns keep and remove lists, newest first, ties by id; together exactly the input
 * @throws ZodError for an invalid policy; RangeError for a bad timestamp or a duplicate id
 * @example
 * const plan = planRetention(backups, { last: 7, daily: 14, weekly: 8, timeZone: "Europe/Berlin" });
 * for (const { id } of plan.remove) await deleteBackup(id);
 */
export function planRetention(
  backups: readonly RetentionBackup[],
  policyInput: RetentionPolicyInput,
  options: PlanOptions = {},
): RetentionPlan {
  const policy = RetentionPolicySchema.parse(policyInput);
  const now = (options.now ?? new Date()).getTime();
  if (Number.isNaN(now)) throw new RangeError("options.now is an invalid Date");
  const list = sortNewestFirst(backups);
  const plan: RetentionPlan = { keep: [], remove: [] };
  if (list.length === 0) return plan;

  const zone = new ZoneClock(policy.timeZone);
  // findLatestTimestamp: the newest backup that is not in the future anchors `within*`.
  const anchor = list.find((entry) => entry.time < now && entry.time > GO_ZERO_TIME_MS);
  const threshold = (duration: ResticDuration) =>
    anchor === undefined
      ? withinThreshold(GO_ZERO_TIME_MS, duration, new ZoneClock("UTC"))
      : withinThreshold(anchor.time, duration, zone);

  const { counted, windowed, within, tagSets } = compileRules(policy, threshold);
  const keepDaysMs = policy.keepDays === undefined ? undefined : policy.keepDays * DAY_MS;
  const needsLocal = counted.some(({ kind }) => kind !== "last") || windowed.length > 0;
  const oldest = list.length - 1;
  // One scratch list, copied only for kept backups: most backups are removed.
  const reasons: string[] = [];

  for (let nr = 0; nr <= oldest; nr++) {
    const cur = list[nr]!;
    reasons.length = 0;
    for (const { set, reason } of tagSets) {
      if (hasTags(cur.tags, set)) reasons.push(reason);
    }
    if (within !== undefined && cur.time > within.threshold) reasons.push(within.reason);
    const local = needsLocal ? zone.toLocal(cur.time) : 0;
    for (const rule of counted) {
      if (rule.count === 0) continue; // exhausted; -1 never is
      const value = bucketValue(rule.kind, local, nr);
      // restic also keeps the oldest backup while the rule has budget left, to stretch
      // the history; it says "oldest" only when that backup shares the last kept bucket.
      if (value !== rule.last || nr === oldest) {
        reasons.push(value === rule.last ? `oldest ${rule.reason}` : rule.reason);
        rule.last = value;
        if (rule.count > 0) rule.count--;
      }
    }
    for (const rule of windowed) {
      if (!(cur.time > rule.threshold)) continue;
      const value = bucketValue(rule.kind, local, nr);
      if (value !== rule.last || nr === oldest) {
        const reason = value === rule.last ? `oldest ${rule.reason}` : rule.reason;
        reasons.push(reason + rule.suffix);
        rule.last = value;
      }
    }
    if (keepDaysMs !== undefined && now - cur.time < keepDaysMs) {
      reasons.push(`within keepDays ${policy.keepDays}`);
    }
    if (reasons.length > 0) plan.keep.push({ id: cur.id, reasons: reasons.slice() });
    else plan.remove.push({ id: cur.id });
  }
  return plan;
}
