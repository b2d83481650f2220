import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import {
  isEmptyRetentionPolicy,
  planRetention,
  type RetentionBackup,
  type RetentionPolicyInput,
} from "../../lib/retention/index.ts";

/** Backups named by their timestamps, so expectations read as times. */
function backups(...createdAts: string[]): RetentionBackup[] {
  return createdAts.map((createdAt) => ({ id: createdAt, createdAt, tags: [] }));
}

function keptIds(list: RetentionBackup[], policy: RetentionPolicyInput, now?: Date): string[] {
  return planRetention(list, policy, now === undefined ? {} : { now }).keep.map(({ id }) => id);
}

describe("planRetention: time zones", () => {
  // 23:30Z and 00:30Z are two UTC days but one Berlin day (00:30 and 01:30 CET).
  const list = backups("2024-01-16T00:30:00Z", "2024-01-15T23:30:00Z", "2024-01-14T12:00:00Z");

  it("puts 23:30Z and 00:30Z into different days in UTC", () => {
    expect(keptIds(list, { daily: 2 })).toEqual(["2024-01-16T00:30:00Z", "2024-01-15T23:30:00Z"]);
  });

  it("puts 23:30Z and 00:30Z into the same Europe/Berlin day", () => {
    expect(keptIds(list, { daily: 2, timeZone: "Europe/Berlin" })).toEqual([
      "2024-01-16T00:30:00Z",
      "2024-01-14T12:00:00Z",
    ]);
  });

  it("uses summer time: 22:30Z is already the next Berlin day in July", () => {
    const summer = backups("2024-07-15T22:30:00Z", "2024-07-15T21:30:00Z");
    const plan = planRetention(summer, { daily: -1, timeZone: "Europe/Berlin" });
    expect(plan.keep.map(({ reasons }) => reasons)).toEqual([
      ["daily snapshot"],
      ["daily snapshot"],
    ]);
  });

  it("does within's calendar arithmetic in the zone: 1d before 14:00 CEST is 14:00 CET", () => {
    // Across the spring-forward night, one Berlin calendar day is only 23 hours.
    const list = backups("2024-03-31T12:00:00Z", "2024-03-30T13:30:00Z", "2024-03-30T12:30:00Z");
    const now = new Date("2024-04-01T00:00:00Z");
    expect(keptIds(list, { within: "1d", timeZone: "Europe/Berlin" }, now)).toEqual([
      "2024-03-31T12:00:00Z",
      "2024-03-30T13:30:00Z",
    ]);
    expect(keptIds(list, { within: "1d" }, now)).toHaveLength(3);
  });

  it("uses ISO weeks: Thu 2020-12-31 and Fri 2021-01-01 share week 2020-W53", () => {
    const list = backups("2021-01-04T10:00:00Z", "2021-01-01T10:00:00Z", "2020-12-31T10:00:00Z");
    expect(keptIds(list, { weekly: 2 })).toEqual(["2021-01-04T10:00:00Z", "2021-01-01T10:00:00Z"]);
  });
});

describe("planRetention: restic rules", () => {
  it("keeps the oldest backup while a bucket rule still has budget", () => {
    const list = backups("2024-03-02T10:00:00Z", "2024-03-01T12:00:00Z", "2024-03-01T08:00:00Z");
    const plan = planRetention(list, { daily: 5 });
    expect(plan.keep.map(({ reasons }) => reasons)).toEqual([
      ["daily snapshot"],
      ["daily snapshot"],
      ["oldest daily snapshot"],
    ]);
  });

  it("stops keeping when the count is used up, oldest included", () => {
    const list = backups("2024-03-03T10:00:00Z", "2024-03-02T10:00:00Z", "2024-03-01T10:00:00Z");
    expect(keptIds(list, { daily: 2 })).toEqual(["2024-03-03T10:00:00Z", "2024-03-02T10:00:00Z"]);
  });

  it("measures within from the newest backup with Go's month arithmetic", () => {
    // 2016-03-31 minus one month is "2016-02-31", normalised to 2016-03-02.
    const list = backups("2016-03-31T12:00:00Z", "2016-03-02T12:00:01Z", "2016-03-02T12:00:00Z");
    const plan = planRetention(list, { within: "1m" }, { now: new Date("2030-01-01T00:00:00Z") });
    expect(plan.keep).toEqual([
      { id: "2016-03-31T12:00:00Z", reasons: ["within 1m"] },
      { id: "2016-03-02T12:00:01Z", reasons: ["within 1m"] },
    ]);
  });

  it("does not anchor within on a backup dated after now", () => {
    const list = backups("2024-06-01T00:00:00Z", "2024-05-01T00:00:00Z", "2024-04-29T00:00:00Z");
    const now = new Date("2024-05-15T00:00:00Z");
    expect(keptIds(list, { within: "2d" }, now)).toEqual([
      "2024-06-01T00:00:00Z",
      "2024-05-01T00:00:00Z",
    ]);
  });

  it("can drop more on re-planning when a future backup hides the within anchor", () => {
    // Why the idempotence property needs `now` after every backup: the future backup takes
    // the anchor's day, the anchor goes, and Mar 31 − 1m reaches less far back than Apr 1 − 1m.
    const list = backups(
      "2016-04-01T18:00:00Z",
      "2016-04-01T06:00:00Z",
      "2016-03-31T12:00:00Z",
      "2016-03-02T12:00:00Z",
    );
    const now = new Date("2016-04-01T12:00:00Z");
    const kept = keptIds(list, { withinDaily: "1m" }, now);
    expect(kept).toEqual(["2016-04-01T18:00:00Z", "2016-03-31T12:00:00Z", "2016-03-02T12:00:00Z"]);
    const again = planRetention(backups(...kept), { withinDaily: "1m" }, { now });
    expect(again.remove).toEqual([{ id: "2016-03-02T12:00:00Z" }]);
  });

  it("keeps a backup carrying every tag of at least one tag set", () => {
    const list: RetentionBackup[] = [
      { id: "ab", createdAt: "2024-01-04T00:00:00Z", tags: ["a", "b"] },
      { id: "a", createdAt: "2024-01-03T00:00:00Z", tags: ["a"] },
      { id: "c", createdAt: "2024-01-02T00:00:00Z", tags: ["c"] },
      { id: "none", createdAt: "2024-01-01T00:00:00Z", tags: [] },
    ];
    expect(planRetention(list, { tags: [["a", "b"], ["c"], [""]] }).keep).toEqual([
      { id: "ab", reasons: ["has tags [a, b]"] },
      { id: "c", reasons: ["has tags [c]"] },
      { id: "none", reasons: ["has tags []"] },
    ]);
  });

  it("keeps nothing for a policy without rules, like restic's ApplyPolicy", () => {
    const list = backups("2024-01-02T00:00:00Z", "2024-01-01T00:00:00Z");
    expect(isEmptyRetentionPolicy({ timeZone: "Europe/Berlin" })).toBe(true);
    expect(isEmptyRetentionPolicy({ daily: 0, within: "0d", tags: [] })).toBe(true);
    expect(isEmptyRetentionPolicy({ keepDays: 1 })).toBe(false);
    expect(planRetention(list, {}).remove).toHaveLength(2);
  });

  it("orders keep and remove newest first, ties broken by id", () => {
    const at = "2024-01-01T00:00:00Z";
    const list: RetentionBackup[] = ["c", "a", "b"].map((id) => ({ id, createdAt: at, tags: [] }));
    const plan = planRetention(list, { last: 1 });
    expect(plan).toEqual({
      keep: [{ id: "a", reasons: ["last snapshot"] }],
      remove: [{ id: "b" }, { id: "c" }],
    });
  });
});

describe("planRetention: keepDays", () => {
  const now = new Date("2024-05-31T12:00:00Z");
  const list = backups("2024-05-21T12:00:00Z", "2024-05-01T12:00:01Z", "2024-05-01T12:00:00Z");

  it("keeps backups younger than keepDays days before now", () => {
    expect(planRetention(list, { keepDays: 30 }, { now }).keep).toEqual([
      { id: "2024-05-21T12:00:00Z", reasons: ["within keepDays 30"] },
      { id: "2024-05-01T12:00:01Z", reasons: ["within keepDays 30"] },
    ]);
  });

  it("lists keepDays after restic's own reasons", () => {
    expect(planRetention(list, { last: 1, keepDays: 30 }, { now }).keep[0]!.reasons).toEqual([
      "last snapshot",
      "within keepDays 30",
    ]);
  });
});

describe("planRetention: validation", () => {
  const list = backups("2024-01-01T00:00:00Z");

  it.each(["1w", "1d1d", "-1d", "", "1 d", "10"])("rejects the duration %j", (within) => {
    expect(() => planRetention(list, { within })).toThrow(ZodError);
    expect(() => planRetention(list, { within })).toThrow(/invalid duration/);
  });

  it("accepts restic durations in any unit order", () => {
    expect(keptIds(list, { within: "1y1d1m" })).toHaveLength(1);
  });

  it("rejects an unknown time zone", () => {
    expect(() => planRetention(list, { daily: 1, timeZone: "Mars/Olympus_Mons" })).toThrow(
      /IANA time zone/,
    );
  });

  it("rejects unknown keys, counts below -1 and tags with commas", () => {
    expect(() => planRetention(list, { keepDaily: 7 } as RetentionPolicyInput)).toThrow(ZodError);
    expect(() => planRetention(list, { daily: -2 })).toThrow(/-1 \(unlimited\)/);
    expect(() => planRetention(list, { tags: [["a,b"]] })).toThrow(/must not contain/);
  });

  it("rejects timestamps without an offset and duplicate ids", () => {
    expect(() => planRetention(backups("2024-01-01T00:00:00"), { last: 1 })).toThrow(/createdAt/);
    expect(() => planRetention([...list, ...list], { last: 1 })).toThrow(/duplicate backup id/);
  });
});
