/**
 * Edges of the retention planner that restic's golden cases do not reach: the `within`
 * anchor at `now` and at Go's zero time, the oldest backup of a `within*` window, buckets
 * of far-apart and very early years, and an invalid `now`.
 */
import { describe, expect, it } from "vitest";
import {
  planRetention,
  type RetentionBackup,
  type RetentionPolicyInput,
} from "../../lib/retention/index.ts";

/** Backups named by their timestamps, so expectations read as times. */
function backups(...createdAts: string[]): RetentionBackup[] {
  return createdAts.map((createdAt) => ({ id: createdAt, createdAt, tags: [] }));
}

function plan(list: RetentionBackup[], policy: RetentionPolicyInput, now: Date) {
  return planRetention(list, policy, { now });
}

const HOUR = 3_600_000;

describe("planRetention: the within anchor", () => {
  it("is never a backup taken at exactly now (restic: strictly before now)", () => {
    const now = new Date("2024-05-15T12:00:00Z");
    const ago = (hours: number) => new Date(now.getTime() - hours * HOUR).toISOString();
    const list = backups(ago(0), ago(2), ago(4));
    // Anchored at now-2h, "3h" reaches back to now-5h: the backup at now-4h stays.
    expect(plan(list, { within: "3h" }, now)).toEqual({
      keep: [
        { id: ago(0), reasons: ["within 3h"] },
        { id: ago(2), reasons: ["within 3h"] },
        { id: ago(4), reasons: ["within 3h"] },
      ],
      remove: [],
    });
  });

  it("is Go's zero time when every backup is older than year 1, measured in UTC", () => {
    const now = new Date("2024-01-01T00:00:00Z");
    const list = backups("0000-12-31T12:00:00Z", "0000-12-30T18:00:00Z");
    // 0001-01-01T00:00Z minus 1d is 0000-12-31T00:00Z: only the first is within.
    expect(plan(list, { within: "1d" }, now)).toEqual({
      keep: [{ id: "0000-12-31T12:00:00Z", reasons: ["within 1d"] }],
      remove: [{ id: "0000-12-30T18:00:00Z" }],
    });
  });

  it("is not a backup taken at Go's zero time itself", () => {
    // From the zero time in UTC, 1m back is 0000-12-01T00:00Z. Anchored on the backup in
    // New York time (0000-12-31 19:03:58 local mean time), 1m back would be "0000-11-31",
    // i.e. Dec 1 19:03:58 local, and the second backup would be dropped.
    const now = new Date("2024-01-01T00:00:00Z");
    const list = backups("0001-01-01T00:00:00Z", "0000-12-01T12:00:00Z");
    const kept = plan(list, { within: "1m", timeZone: "America/New_York" }, now).keep;
    expect(kept.map(({ id }) => id)).toEqual(["0001-01-01T00:00:00Z", "0000-12-01T12:00:00Z"]);
  });
});

describe("planRetention: within* windows", () => {
  const now = new Date("2024-03-10T00:00:00Z");

  it("keeps the oldest backup of the window even when it shares the last kept bucket", () => {
    const list = backups("2024-03-02T10:00:00Z", "2024-03-01T12:00:00Z", "2024-03-01T08:00:00Z");
    expect(plan(list, { withinDaily: "5d" }, now).keep).toEqual([
      { id: "2024-03-02T10:00:00Z", reasons: ["daily within 5d"] },
      { id: "2024-03-01T12:00:00Z", reasons: ["daily within 5d"] },
      { id: "2024-03-01T08:00:00Z", reasons: ["oldest daily within 5d"] },
    ]);
  });

  it("keeps one per bucket inside the window and nothing outside it", () => {
    const list = backups(
      "2024-03-02T10:00:00Z",
      "2024-03-02T08:00:00Z",
      "2024-03-01T12:00:00Z",
      "2024-02-20T12:00:00Z",
    );
    expect(plan(list, { withinDaily: "5d" }, now)).toEqual({
      keep: [
        { id: "2024-03-02T10:00:00Z", reasons: ["daily within 5d"] },
        { id: "2024-03-01T12:00:00Z", reasons: ["daily within 5d"] },
      ],
      remove: [{ id: "2024-03-02T08:00:00Z" }, { id: "2024-02-20T12:00:00Z" }],
    });
  });

  it("ignores a zero-length window, as restic does", () => {
    const list = backups("2024-03-02T10:00:00Z");
    expect(plan(list, { withinDaily: "0d", withinHourly: "0h" }, now).keep).toEqual([]);
    expect(plan(list, { within: "0y0m0d0h" }, now).keep).toEqual([]);
  });

  it("takes a window of only hours, or only years, as a real window", () => {
    const list = backups("2024-03-02T10:00:00Z", "2024-03-02T08:30:00Z", "2023-01-01T00:00:00Z");
    expect(plan(list, { within: "2h" }, now).keep.map(({ id }) => id)).toEqual([
      "2024-03-02T10:00:00Z",
      "2024-03-02T08:30:00Z",
    ]);
    expect(plan(list, { within: "1y" }, now).keep.map(({ id }) => id)).toEqual([
      "2024-03-02T10:00:00Z",
      "2024-03-02T08:30:00Z",
    ]);
    expect(plan(list, { within: "2y" }, now).keep).toHaveLength(3);
  });
});

describe("planRetention: bucket keys", () => {
  it("starts an hour at its first millisecond", () => {
    const list = backups("2024-03-01T10:00:00Z", "2024-03-01T09:30:00Z", "2024-03-01T09:00:00Z");
    const now = new Date("2024-03-02T00:00:00Z");
    expect(plan(list, { hourly: 5 }, now).keep).toEqual([
      { id: "2024-03-01T10:00:00Z", reasons: ["hourly snapshot"] },
      { id: "2024-03-01T09:30:00Z", reasons: ["hourly snapshot"] },
      { id: "2024-03-01T09:00:00Z", reasons: ["oldest hourly snapshot"] },
    ]);
  });

  it("tells months a hundred years apart from each other", () => {
    // 2124-01 and 2024-02 must be two monthly buckets, not one.
    const list = backups("2124-01-15T00:00:00Z", "2024-02-15T00:00:00Z", "2000-01-15T00:00:00Z");
    const kept = plan(list, { monthly: 3 }, new Date("2200-01-01T00:00:00Z")).keep;
    expect(kept).toEqual([
      { id: "2124-01-15T00:00:00Z", reasons: ["monthly snapshot"] },
      { id: "2024-02-15T00:00:00Z", reasons: ["monthly snapshot"] },
      { id: "2000-01-15T00:00:00Z", reasons: ["monthly snapshot"] },
    ]);
  });

  it("keeps the newest backup of year 1 for a yearly rule", () => {
    const list = backups("0001-06-01T00:00:00Z", "0001-03-01T00:00:00Z", "0000-06-01T00:00:00Z");
    const now = new Date("2024-01-01T00:00:00Z");
    expect(plan(list, { yearly: 5 }, now)).toEqual({
      keep: [
        { id: "0001-06-01T00:00:00Z", reasons: ["yearly snapshot"] },
        { id: "0000-06-01T00:00:00Z", reasons: ["yearly snapshot"] },
      ],
      remove: [{ id: "0001-03-01T00:00:00Z" }],
    });
    expect(plan(list, { withinYearly: "5y" }, now)).toEqual({
      keep: [
        { id: "0001-06-01T00:00:00Z", reasons: ["yearly within 5y"] },
        { id: "0000-06-01T00:00:00Z", reasons: ["yearly within 5y"] },
      ],
      remove: [{ id: "0001-03-01T00:00:00Z" }],
    });
  });
});

describe("planRetention: now", () => {
  it("refuses an invalid Date instead of keeping or removing by NaN", () => {
    const list = backups("2024-01-01T00:00:00Z");
    expect(() => planRetention(list, { keepDays: 1 }, { now: new Date("garbage") })).toThrow(
      new RangeError("options.now is an invalid Date"),
    );
  });

  it("plans nothing for no backups", () => {
    expect(planRetention([], { last: 1, within: "1d" })).toEqual({ keep: [], remove: [] });
  });
});
