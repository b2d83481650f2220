import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planRetention, type RetentionPolicyInput } from "../../lib/retention/index.ts";
import { intlWallClock } from "../support/wall-clock.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Late December 2019: the window spans a year end, ISO week 2020-W53 and DST changes. */
const BASE = Date.UTC(2019, 11, 20);
const SPAN = 3 * 366 * DAY;
/** Later than every generated backup, so none is "in the future". */
const AFTER_ALL = new Date(BASE + SPAN + 30 * DAY);

const KINDS = ["hourly", "daily", "weekly", "monthly", "yearly"] as const;
const ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"];
/** DST changes in the generated window, where bucketing is easiest to get wrong. */
const TRANSITIONS = ["2020-03-29T01:00:00Z", "2020-10-25T01:00:00Z", "2020-11-01T06:00:00Z"];

/** ISO-8601 with an explicit offset, so the planner's parser sees more than `Z`. */
function isoWithOffset(instant: number, offsetMinutes: number): string {
  if (offsetMinutes === 0) return new Date(instant).toISOString();
  const wall = new Date(instant + offsetMinutes * 60_000).toISOString().slice(0, -1);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, "0");
  const mm = String(abs % 60).padStart(2, "0");
  return `${wall}${sign}${hh}:${mm}`;
}

const instantArb = fc.oneof(
  fc.integer({ min: 0, max: SPAN }).map((offset) => BASE + offset),
  // Dense clusters put many backups into the same hour/day, and create exact ties.
  fc.integer({ min: 0, max: 72 }).map((hours) => BASE + hours * HOUR),
  fc
    .tuple(fc.constantFrom(...TRANSITIONS), fc.integer({ min: -3 * HOUR, max: 3 * HOUR }))
    .map(([at, offset]) => Date.parse(at) + offset),
);

const backupsArb = fc.uniqueArray(
  fc.record({
    id: fc.string({ unit: fc.constantFrom(..."abcdef0123"), minLength: 1, maxLength: 6 }),
    createdAt: fc
      .tuple(instantArb, fc.constantFrom(0, 0, 60, -300, 330))
      .map(([instant, offset]) => isoWithOffset(instant, offset)),
    tags: fc.subarray(["a", "b", "c"]),
  }),
  { selector: (backup) => backup.id, maxLength: 60 },
);

const countArb = fc.constantFrom(-1, 0, 1, 2, 3, 5);
const durationArb = fc.constantFrom("1h", "1d", "7d", "1m", "13d23h", "2m2h", "1y2m3d3h", "0d");
const countRules = {
  last: countArb,
  hourly: countArb,
  daily: countArb,
  weekly: countArb,
  monthly: countArb,
  yearly: countArb,
};
const zoneArb = fc.constantFrom(...ZONES);
const anyRulesArb: fc.Arbitrary<RetentionPolicyInput> = fc.record(
  {
    ...countRules,
    within: durationArb,
    withinHourly: durationArb,
    withinDaily: durationArb,
    withinWeekly: durationArb,
    withinMonthly: durationArb,
    withinYearly: durationArb,
    tags: fc.array(fc.subarray(["a", "b", "c", ""]), { maxLength: 2 }),
    keepDays: fc.integer({ min: 1, max: 400 }),
    timeZone: zoneArb,
  },
  { requiredKeys: [] },
);
// Count rules alone actually remove backups; mixed policies tend to keep almost all.
const countRulesArb: fc.Arbitrary<RetentionPolicyInput> = fc.record(
  { ...countRules, timeZone: zoneArb },
  { requiredKeys: [] },
);
const policyArb = fc.oneof(anyRulesArb, countRulesArb);
const nowArb = fc.integer({ min: BASE - DAY, max: BASE + SPAN + DAY }).map((at) => new Date(at));

/** A deterministic permutation driven by fast-check's numbers. */
function permute<T>(items: readonly T[], swaps: number[]): T[] {
  const result = [...items];
  for (let i = result.length - 1; i > 0; i--) {
    const j = (swaps[i % Math.max(swaps.length, 1)] ?? 0) % (i + 1);
    [result[i], result[j]] = [result[j]!, result[i]!];
  }
  return result;
}

describe("planRetention (properties)", () => {
  it("keeps or removes every backup exactly once", () => {
    fc.assert(
      fc.property(backupsArb, policyArb, nowArb, (backups, policy, now) => {
        const plan = planRetention(backups, policy, { now });
        const ids = [...plan.keep.map(({ id }) => id), ...plan.remove.map(({ id }) => id)];
        expect(ids.sort()).toEqual(backups.map(({ id }) => id).sort());
        for (const { reasons } of plan.keep) expect(reasons.length).toBeGreaterThan(0);
      }),
    );
  });

  it("gives the same plan for any input order", () => {
    fc.assert(
      fc.property(
        backupsArb,
        policyArb,
        nowArb,
        fc.array(fc.nat()),
        (backups, policy, now, swaps) => {
          const plan = planRetention(backups, policy, { now });
          expect(planRetention(permute(backups, swaps), policy, { now })).toEqual(plan);
          expect(planRetention(backups, policy, { now })).toEqual(plan);
        },
      ),
    );
  });

  // Holds for every rule, "oldest" included: each bucket's first backup and the oldest
  // backup the rule kept are still first/oldest among the kept set, and the rule's budget
  // runs out at the same bucket. It needs `now` after every backup: a future-dated backup
  // can share the newest real backup's bucket and get it dropped, moving the `within*`
  // anchor, and restic's month arithmetic is not monotonic (Apr 1 − 1m = Mar 1, but
  // Mar 31 − 1m = Mar 3), so a later anchor can shrink the window (see planner.test.ts).
  it("removes nothing more when the kept set is planned again (no future backups)", () => {
    fc.assert(
      fc.property(backupsArb, policyArb, (backups, policy) => {
        const plan = planRetention(backups, policy, { now: AFTER_ALL });
        const keptIds = new Set(plan.keep.map(({ id }) => id));
        const kept = backups.filter(({ id }) => keptIds.has(id));
        expect(planRetention(kept, policy, { now: AFTER_ALL }).remove).toEqual([]);
      }),
    );
  });

  it.each(KINDS)("keeps the newest backup of every %s bucket when the count is -1", (kind) => {
    fc.assert(
      fc.property(backupsArb, zoneArb, (backups, timeZone) => {
        const plan = planRetention(backups, { [kind]: -1, timeZone }, { now: AFTER_ALL });
        const sorted = [...backups].sort(
          (a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || (a.id < b.id ? -1 : 1),
        );
        const expected = new Map<string, string[]>();
        sorted.forEach((backup, index) => {
          const key = referenceBucket(kind, backup.createdAt, timeZone);
          const previous =
            index > 0 ? referenceBucket(kind, sorted[index - 1]!.createdAt, timeZone) : undefined;
          if (key !== previous) expected.set(backup.id, [`${kind} snapshot`]);
          // Unlimited budget never runs out, so restic always keeps the oldest backup too.
          else if (index === sorted.length - 1)
            expected.set(backup.id, [`oldest ${kind} snapshot`]);
        });
        expect(new Map(plan.keep.map(({ id, reasons }) => [id, reasons]))).toEqual(expected);
        // One per bucket: in these zones a bucket's backups are contiguous in time order.
        const buckets = plan.keep
          .filter(({ reasons }) => !reasons[0]!.startsWith("oldest"))
          .map(({ id }) =>
            referenceBucket(kind, backups.find((b) => b.id === id)!.createdAt, timeZone),
          );
        expect(new Set(buckets).size).toBe(buckets.length);
      }),
      { numRuns: 50 },
    );
  });
});

/** Bucket key computed independently of the planner: Intl wall clock, `Date` ISO weeks. */
function referenceBucket(
  kind: (typeof KINDS)[number],
  createdAt: string,
  timeZone: string,
): string {
  const { year, month, day, hour } = intlWallClock(timeZone, new Date(createdAt));
  if (kind === "hourly") return `${year}-${month}-${day} ${hour}h`;
  if (kind === "daily") return `${year}-${month}-${day}`;
  if (kind === "monthly") return `${year}-${month}`;
  if (kind === "yearly") return `${year}`;
  // ISO week: the week (Monday–Sunday) belongs to the year of its Thursday.
  const date = new Date(Date.UTC(year, month - 1, day));
  date.setUTCDate(date.getUTCDate() + 4 - (date.getUTCDay() || 7));
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((date.getTime() - yearStart) / DAY + 1) / 7);
  return `${date.getUTCFullYear()}-W${week}`;
}
