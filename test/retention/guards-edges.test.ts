/**
 * The guards, case by case: which backup counts as the target's newest good one, what a
 * hold or an explicit expiry saves, and what each says when it blocks a removal.
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

/** A plan that removes every one of `ids`. */
function removing(...ids: string[]): RetentionPlan {
  return { keep: [], remove: ids.map((id) => ({ id })) };
}

const NEWEST = "newest available backup of the target";

describe("applyGuards: the newest AVAILABLE backup", () => {
  it("is kept wherever it sits in the list; the older ones go", () => {
    const all = [backup("mid", 5), backup("old", 9), backup("new", 1), backup("older", 7)];
    const guarded = applyGuards(removing("mid", "old", "new", "older"), all, NOW);
    expect(guarded.remove).toEqual([{ id: "mid" }, { id: "old" }, { id: "older" }]);
    expect(guarded.keep).toEqual([{ id: "new", reasons: [NEWEST] }]);
    expect(guarded.guarded).toEqual([{ id: "new", guard: GUARDS.newestAvailable, detail: NEWEST }]);
  });

  it("is the newest by time, not the first or the last in the input", () => {
    for (const all of [
      [backup("a", 3), backup("b", 2), backup("c", 1)],
      [backup("c", 1), backup("b", 2), backup("a", 3)],
      [backup("b", 2), backup("c", 1), backup("a", 3)],
      [backup("a", 3), backup("c", 1), backup("b", 2)],
    ]) {
      const guarded = applyGuards(removing("a", "b", "c"), all, NOW);
      expect(guarded.guarded.map(({ id }) => id)).toEqual(["c"]);
    }
  });

  it("ignores newer backups that are not AVAILABLE", () => {
    const all = [
      backup("failed", 1, { status: "FAILED" }),
      backup("creating", 2, { status: "CREATING" }),
      backup("expiring", 3, { status: "EXPIRING" }),
      backup("deleted", 4, { status: "DELETED" }),
      backup("good", 5),
      backup("older-good", 6),
    ];
    const guarded = applyGuards(removing("expiring", "good", "older-good"), all, NOW);
    expect(guarded.guarded.map(({ id }) => id)).toEqual(["good"]);
    expect(guarded.remove).toEqual([{ id: "expiring" }, { id: "older-good" }]);
  });

  it("ignores backups found at the vendor: only a managed one of ours counts", () => {
    const all = [
      backup("orphan", 1, { origin: "orphan" }),
      backup("unmanaged", 2, { origin: "unmanaged" }),
      backup("ours", 3, { origin: "managed" }),
      backup("ours-older", 4),
    ];
    const guarded = applyGuards(removing("orphan", "unmanaged", "ours", "ours-older"), all, NOW);
    expect(guarded.guarded.map(({ id }) => id)).toEqual(["ours"]);
    expect(guarded.remove).toEqual([{ id: "orphan" }, { id: "unmanaged" }, { id: "ours-older" }]);
  });

  it("counts a backup without an origin as managed", () => {
    const all = [backup("plain", 1), backup("ours", 2, { origin: "managed" })];
    const guarded = applyGuards(removing("plain", "ours"), all, NOW);
    expect(guarded.guarded.map(({ id }) => id)).toEqual(["plain"]);
  });

  it("on a createdAt tie is the greater id (the later ULID), whatever the input order", () => {
    const tie = at(1);
    const a = { id: "01J00000000000000000000000", createdAt: tie, status: "AVAILABLE" };
    const b = { id: "01J00000000000000000000001", createdAt: tie, status: "AVAILABLE" };
    for (const all of [
      [a, b],
      [b, a],
    ]) {
      const guarded = applyGuards(removing(a.id, b.id), all, NOW);
      expect(guarded.guarded.map(({ id }) => id)).toEqual([b.id]);
      expect(guarded.remove).toEqual([{ id: a.id }]);
    }
  });

  it("is looked for among all backups, so it is kept even when the plan removes nothing else", () => {
    const guarded = applyGuards(removing("only"), [backup("only", 1)], NOW);
    expect(guarded.remove).toEqual([]);
    expect(guarded.keep).toEqual([{ id: "only", reasons: [NEWEST] }]);
  });

  it("may not exist: then every removal without another guard goes through", () => {
    const all = [backup("f1", 1, { status: "FAILED" }), backup("f2", 2, { status: "FAILED" })];
    const guarded = applyGuards(removing("f1", "f2"), all, NOW);
    expect(guarded).toEqual({ keep: [], remove: [{ id: "f1" }, { id: "f2" }], guarded: [] });
  });
});

describe("applyGuards: holds and explicit expiries", () => {
  it("keeps a held backup and names who held it and why", () => {
    const all = [backup("new", 1), backup("held", 5, { hold: { reason: "case 42", by: "legal" } })];
    const guarded = applyGuards(removing("held"), all, NOW);
    const detail = "legal hold by legal: case 42";
    expect(guarded.remove).toEqual([]);
    expect(guarded.keep).toEqual([{ id: "held", reasons: [detail] }]);
    expect(guarded.guarded).toEqual([{ id: "held", guard: GUARDS.hold, detail }]);
  });

  it("keeps a backup a restore is reading, and names the restore; the hold is named first", () => {
    const all = [
      backup("new", 1),
      backup("read", 5, { restoringBy: { restoreId: "rs_1" } }),
      backup("both", 6, { restoringBy: { restoreId: "rs_2" }, hold: { reason: "x", by: "y" } }),
      backup("free", 7),
    ];
    const guarded = applyGuards(removing("read", "both", "free"), all, NOW);
    expect(guarded.remove).toEqual([{ id: "free" }]);
    expect(guarded.guarded).toEqual([
      { id: "read", guard: GUARDS.restoring, detail: "being restored (rs_1)" },
      { id: "both", guard: GUARDS.hold, detail: "legal hold by y: x" },
    ]);
  });

  it("with drills, keeps the newest backup a drill proved restorable, and only that one", () => {
    const passed = { verification: { result: "PASSED" } };
    const all = [
      backup("new", 1),
      backup("failed-drill", 3, { verification: { result: "FAILED" } }),
      backup("verified", 5, passed),
      backup("older-verified", 9, passed),
    ];
    const plan = removing("failed-drill", "verified", "older-verified");
    const detail = "newest backup of the target a restore drill proved restorable";
    const drilled = applyGuards(plan, all, NOW, { keepVerified: true });
    expect(drilled.remove).toEqual([{ id: "failed-drill" }, { id: "older-verified" }]);
    expect(drilled.guarded).toEqual([{ id: "verified", guard: GUARDS.newestVerified, detail }]);
    // Without drills in the policy, verification protects nothing.
    expect(applyGuards(plan, all, NOW).remove).toHaveLength(3);
  });

  it("takes the newest verified backup that is still AVAILABLE, by time, and copes with none", () => {
    const passed = { verification: { result: "PASSED" } };
    const all = [
      backup("new", 1),
      backup("older", 8, passed),
      backup("gone", 2, { ...passed, status: "DELETED" }),
      backup("newer", 4, passed),
    ];
    const drilled = applyGuards(removing("older", "newer"), all, NOW, { keepVerified: true });
    expect(drilled.guarded.map((g) => g.id)).toEqual(["newer"]);
    expect(drilled.remove).toEqual([{ id: "older" }]);
    const none = applyGuards(removing("older"), [backup("new", 1), backup("older", 8)], NOW, {
      keepVerified: true,
    });
    expect(none.remove).toEqual([{ id: "older" }]);
  });

  it("keeps a backup until its own expiry, and says until when", () => {
    const expiresAt = "2026-11-24T00:00:00.000Z";
    const all = [backup("new", 1), backup("pinned", 5, { expiresAt })];
    const guarded = applyGuards(removing("pinned"), all, NOW);
    const detail = `kept until its own expiry ${expiresAt}`;
    expect(guarded.keep).toEqual([{ id: "pinned", reasons: [detail] }]);
    expect(guarded.guarded).toEqual([{ id: "pinned", guard: GUARDS.explicitExpiry, detail }]);
  });

  it("lets a backup go at its expiry and after it", () => {
    const all = [
      backup("new", 1),
      backup("due-now", 5, { expiresAt: NOW.toISOString() }),
      backup("overdue", 6, { expiresAt: at(3) }),
      backup("no-expiry", 7),
    ];
    const guarded = applyGuards(removing("due-now", "overdue", "no-expiry"), all, NOW);
    expect(guarded.remove).toEqual([{ id: "due-now" }, { id: "overdue" }, { id: "no-expiry" }]);
    expect(guarded.guarded).toEqual([]);
  });

  it("reports the hold first when several guards apply", () => {
    const all = [
      backup("everything", 1, {
        hold: { reason: "audit", by: "ops" },
        expiresAt: "2027-01-01T00:00:00Z",
      }),
      backup("expiring-newest", 2, { expiresAt: "2027-01-01T00:00:00Z" }),
    ];
    const only = applyGuards(removing("everything"), all, NOW);
    expect(only.guarded).toEqual([
      { id: "everything", guard: GUARDS.hold, detail: "legal hold by ops: audit" },
    ]);
    const newestWithExpiry = applyGuards(removing("expiring-newest"), [all[1]!], NOW);
    expect(newestWithExpiry.guarded.map(({ guard }) => guard)).toEqual([GUARDS.explicitExpiry]);
  });
});

describe("applyGuards: the plan around the guards", () => {
  it("lets a removal through that names a backup it was not given (nothing to guard)", () => {
    const guarded = applyGuards(
      removing("stranger", "old"),
      [backup("new", 1), backup("old", 2)],
      NOW,
    );
    expect(guarded).toEqual({
      keep: [],
      remove: [{ id: "stranger" }, { id: "old" }],
      guarded: [],
    });
  });

  it("passes the plan's keeps through with their reasons, after a copy", () => {
    const plan: RetentionPlan = {
      keep: [{ id: "k", reasons: ["daily snapshot", "within keepDays 7"] }],
      remove: [{ id: "r" }],
    };
    const all = [backup("k", 1), backup("r", 2)];
    const guarded = applyGuards(plan, all, NOW);
    expect(guarded).toEqual({
      keep: [{ id: "k", reasons: ["daily snapshot", "within keepDays 7"] }],
      remove: [{ id: "r" }],
      guarded: [],
    });
    guarded.keep[0]!.reasons.push("changed");
    expect(plan.keep[0]!.reasons).toEqual(["daily snapshot", "within keepDays 7"]);
  });
});
