/**
 * The guards added for "retention does exactly what it says": keep at least N good
 * backups of ours, and delete nothing while the target's latest finished scheduled
 * backup FAILED. Unit level, on applyGuards alone (test/usecases/retention-safety.test.ts
 * runs the same rules end to end).
 */
import { describe, expect, it } from "vitest";
import { applyGuards, GUARDS, type GuardInput } from "../../lib/retention/guards.ts";
import type { RetentionPlan } from "../../lib/retention/planner.ts";

const NOW = new Date("2026-11-23T12:00:00Z");

function at(hoursAgo: number): string {
  return new Date(NOW.getTime() - hoursAgo * 3_600_000).toISOString();
}

function backup(id: string, hoursAgo: number, extra: Partial<GuardInput> = {}): GuardInput {
  return { id, createdAt: at(hoursAgo), status: "AVAILABLE", ...extra };
}

function scheduled(id: string, hoursAgo: number, extra: Partial<GuardInput> = {}): GuardInput {
  return backup(id, hoursAgo, { trigger: "schedule", ...extra });
}

function removing(...ids: string[]): RetentionPlan {
  return { keep: [], remove: ids.map((id) => ({ id })) };
}

const suspendedBy = (id: string) =>
  `the latest scheduled backup ${id} FAILED: nothing is removed until a good one lands`;

describe("applyGuards: keepAtLeast", () => {
  const all = [backup("b1", 1), backup("b2", 2), backup("b3", 3), backup("b4", 4), backup("b5", 5)];
  const plan = removing("b1", "b2", "b3", "b4", "b5");
  const detail3 = "one of the 3 newest available backups of the target (keepAtLeast 3)";

  it("keeps the newest N AVAILABLE backups and says so with N", () => {
    const guarded = applyGuards(plan, all, NOW, { keepAtLeast: 3 });
    expect(guarded.remove).toEqual([{ id: "b4" }, { id: "b5" }]);
    expect(guarded.keep).toEqual([
      { id: "b1", reasons: [detail3] },
      { id: "b2", reasons: [detail3] },
      { id: "b3", reasons: [detail3] },
    ]);
    expect(guarded.guarded).toEqual(
      ["b1", "b2", "b3"].map((id) => ({ id, guard: GUARDS.newestAvailable, detail: detail3 })),
    );
  });

  it("keeps the one newest, in the old words, by default and for 1", () => {
    for (const options of [undefined, {}, { keepAtLeast: 1 }]) {
      const guarded = applyGuards(plan, all, NOW, options);
      expect(guarded.keep).toEqual([
        { id: "b1", reasons: ["newest available backup of the target"] },
      ]);
      expect(guarded.remove).toHaveLength(4);
    }
  });

  it("never keeps fewer than one, whatever it is given", () => {
    for (const keepAtLeast of [0, -3]) {
      const guarded = applyGuards(plan, all, NOW, { keepAtLeast });
      expect(guarded.keep.map(({ id }) => id)).toEqual(["b1"]);
    }
  });

  it("counts only AVAILABLE backups of ours, newest by time", () => {
    const mixed = [
      backup("old", 9),
      backup("failed", 1, { status: "FAILED" }),
      backup("orphan", 2, { origin: "orphan" }),
      backup("expiring", 3, { status: "EXPIRING" }),
      backup("newer", 4),
      backup("older", 6),
    ];
    const guarded = applyGuards(
      removing("old", "orphan", "expiring", "newer", "older"),
      mixed,
      NOW,
      {
        keepAtLeast: 2,
      },
    );
    expect(guarded.guarded.map(({ id }) => id)).toEqual(["newer", "older"]);
    expect(guarded.remove).toEqual([{ id: "old" }, { id: "orphan" }, { id: "expiring" }]);
  });

  it("keeps all of them when there are fewer than N", () => {
    const guarded = applyGuards(removing("b1", "b2"), all.slice(0, 2), NOW, { keepAtLeast: 5 });
    expect(guarded.remove).toEqual([]);
    expect(guarded.guarded.map(({ id }) => id)).toEqual(["b1", "b2"]);
  });

  it("breaks a createdAt tie by the greater id, whatever the input order", () => {
    const tie = at(1);
    const a = { id: "01J0A", createdAt: tie, status: "AVAILABLE" };
    const b = { id: "01J0B", createdAt: tie, status: "AVAILABLE" };
    const c = { id: "01J0C", createdAt: tie, status: "AVAILABLE" };
    for (const list of [
      [a, b, c],
      [c, b, a],
      [b, a, c],
      [a, c, b],
    ]) {
      const guarded = applyGuards(removing(a.id, b.id, c.id), list, NOW, { keepAtLeast: 2 });
      expect(guarded.remove).toEqual([{ id: a.id }]);
    }
  });
});

describe("applyGuards: the latest scheduled backup FAILED", () => {
  it("removes nothing, says why for each removal and for the plan", () => {
    const all = [
      scheduled("failed", 1, { status: "FAILED" }),
      scheduled("good-1", 2),
      scheduled("good-2", 3),
      scheduled("good-3", 4),
    ];
    const plan: RetentionPlan = {
      keep: [{ id: "good-1", reasons: ["last snapshot"] }],
      remove: [{ id: "good-2" }, { id: "good-3" }],
    };
    const guarded = applyGuards(plan, all, NOW);
    const detail = suspendedBy("failed");
    expect(guarded).toEqual({
      keep: [
        { id: "good-1", reasons: ["last snapshot"] },
        { id: "good-2", reasons: [detail] },
        { id: "good-3", reasons: [detail] },
      ],
      remove: [],
      guarded: [
        { id: "good-2", guard: GUARDS.latestScheduledFailed, detail },
        { id: "good-3", guard: GUARDS.latestScheduledFailed, detail },
      ],
      suspended: detail,
    });
  });

  it("also blocks a removal the guards know nothing about", () => {
    const all = [scheduled("failed", 1, { status: "FAILED" })];
    const guarded = applyGuards(removing("stranger"), all, NOW);
    expect(guarded.remove).toEqual([]);
    expect(guarded.guarded).toEqual([
      { id: "stranger", guard: GUARDS.latestScheduledFailed, detail: suspendedBy("failed") },
    ]);
  });

  it("still names a hold, an expiry or the newest backup first", () => {
    const all = [
      scheduled("failed", 1, { status: "FAILED" }),
      scheduled("newest", 2),
      scheduled("held", 3, { hold: { reason: "case 7", by: "legal" } }),
      scheduled("pinned", 4, { expiresAt: "2027-01-01T00:00:00Z" }),
      scheduled("plain", 5),
    ];
    const guarded = applyGuards(removing("newest", "held", "pinned", "plain"), all, NOW);
    expect(guarded.guarded.map(({ id, guard }) => [id, guard])).toEqual([
      ["newest", GUARDS.newestAvailable],
      ["held", GUARDS.hold],
      ["pinned", GUARDS.explicitExpiry],
      ["plain", GUARDS.latestScheduledFailed],
    ]);
  });

  it("counts a failed backup whose leftovers were cleaned up since as failed", () => {
    for (const status of ["DELETING", "DELETED", "DELETE_FAILED"]) {
      const all = [
        scheduled("cleaned", 1, {
          status,
          history: [{ status: "PENDING" }, { status: "FAILED" }, { status: "DELETING" }],
        }),
        scheduled("good", 2),
        scheduled("older", 3),
      ];
      const guarded = applyGuards(removing("older"), all, NOW);
      expect(guarded.suspended, status).toBe(suspendedBy("cleaned"));
      expect(guarded.remove, status).toEqual([]);
    }
  });

  it("is lifted by a newer good scheduled backup, even one deleted since", () => {
    const failed = scheduled("failed", 3, { status: "FAILED" });
    const older = scheduled("older", 5);
    for (const good of [
      scheduled("good", 1),
      scheduled("good", 1, { status: "EXPIRING" }),
      scheduled("good", 1, {
        status: "DELETED",
        history: [
          { status: "PENDING" },
          { status: "CREATING" },
          { status: "AVAILABLE" },
          { status: "DELETING" },
          { status: "DELETED" },
        ],
      }),
    ]) {
      const guarded = applyGuards(removing("older"), [good, failed, older, backup("api", 2)], NOW);
      expect(guarded.suspended, good.status).toBeUndefined();
      expect("suspended" in guarded, good.status).toBe(false);
      expect(guarded.remove, good.status).toEqual([{ id: "older" }]);
    }
  });

  it("looks past a newer scheduled backup still on its way", () => {
    for (const status of ["PENDING", "CREATING"]) {
      const all = [
        scheduled("running", 1, { status, history: [{ status: "PENDING" }] }),
        scheduled("failed", 2, { status: "FAILED" }),
        scheduled("good", 3),
        scheduled("older", 4),
      ];
      expect(applyGuards(removing("older"), all, NOW).suspended, status).toBe(
        suspendedBy("failed"),
      );
    }
    const noHistory = [
      scheduled("deleting", 1, { status: "DELETING" }),
      scheduled("failed", 2, { status: "FAILED" }),
      scheduled("good", 3),
    ];
    expect(applyGuards(removing("good"), noHistory, NOW).suspended).toBe(suspendedBy("failed"));
  });

  it("ignores failures of backups not made by the schedule", () => {
    const all = [
      backup("api-failed", 1, { status: "FAILED", trigger: "api" }),
      backup("adopted-failed", 2, { status: "FAILED", trigger: "adopted" }),
      backup("untriggered-failed", 3, { status: "FAILED" }),
      scheduled("good", 4),
      scheduled("older", 5),
    ];
    const guarded = applyGuards(removing("older"), all, NOW);
    expect(guarded).toEqual({ keep: [], remove: [{ id: "older" }], guarded: [] });
  });

  it("is the latest by time: an older scheduled failure does not suspend", () => {
    const all = [
      scheduled("old-failed", 5, { status: "FAILED" }),
      scheduled("good", 1),
      scheduled("older", 3),
    ];
    expect(applyGuards(removing("older"), all, NOW).remove).toEqual([{ id: "older" }]);
    const reversed = [
      scheduled("good", 5),
      scheduled("new-failed", 1, { status: "FAILED" }),
      scheduled("older", 7),
    ];
    expect(applyGuards(removing("older"), reversed, NOW).suspended).toBe(suspendedBy("new-failed"));
  });

  it("does not suspend for a target without scheduled backups", () => {
    const guarded = applyGuards(removing("b2"), [backup("b1", 1), backup("b2", 2)], NOW);
    expect(guarded).toEqual({ keep: [], remove: [{ id: "b2" }], guarded: [] });
    expect("suspended" in guarded).toBe(false);
  });
});
