import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyGuards, type GuardInput } from "../../lib/retention/guards.ts";
import { planRetention } from "../../lib/retention/index.ts";

const NOW = new Date("2026-11-23T12:00:00Z");

/** Backups of one target: some held, some with their own expiry, various statuses. */
const backups = fc
  .uniqueArray(
    fc.record({
      id: fc.string({ minLength: 1, maxLength: 8 }),
      minutesAgo: fc.integer({ min: 0, max: 60 * 24 * 400 }),
      status: fc.constantFrom(
        "AVAILABLE",
        "AVAILABLE",
        "AVAILABLE",
        "FAILED",
        "DELETED",
        "CREATING",
      ),
      held: fc.boolean(),
      expiresInMinutes: fc.option(fc.integer({ min: -60 * 24 * 30, max: 60 * 24 * 30 }), {
        nil: undefined,
      }),
    }),
    { selector: (b) => b.id, maxLength: 40 },
  )
  .map((list) =>
    list.map(
      (b): GuardInput => ({
        id: b.id,
        createdAt: new Date(NOW.getTime() - b.minutesAgo * 60_000).toISOString(),
        status: b.status,
        ...(b.held ? { hold: { reason: "case 42", by: "legal" } } : {}),
        ...(b.expiresInMinutes === undefined
          ? {}
          : { expiresAt: new Date(NOW.getTime() + b.expiresInMinutes * 60_000).toISOString() }),
      }),
    ),
  );

const policy = fc.record(
  {
    last: fc.integer({ min: 0, max: 5 }),
    daily: fc.integer({ min: 0, max: 7 }),
    weekly: fc.integer({ min: 0, max: 4 }),
    keepDays: fc.integer({ min: 1, max: 30 }),
  },
  { requiredKeys: [] },
);

describe("retention guards (property)", () => {
  it("are never violated, say why they kept something, and lose nothing", () => {
    fc.assert(
      fc.property(backups, policy, (all, rules) => {
        const governed = all.filter((b) => b.status === "AVAILABLE");
        const plan = planRetention(
          governed.map((b) => ({ id: b.id, createdAt: b.createdAt, tags: [] })),
          { last: 1, ...rules },
          { now: NOW },
        );
        const guarded = applyGuards(plan, all, NOW);
        const removed = new Set(guarded.remove.map((r) => r.id));
        const newest = governed.sort(
          (a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || (a.id < b.id ? 1 : -1),
        )[0];
        for (const b of all) {
          if (!removed.has(b.id)) continue;
          expect(b.hold, `${b.id} is held`).toBeUndefined();
          expect(
            b.expiresAt === undefined || Date.parse(b.expiresAt) <= NOW.getTime(),
            `${b.id} before its expiry`,
          ).toBe(true);
          expect(b.id, "the newest AVAILABLE backup").not.toBe(newest?.id);
        }
        // Nothing appears or disappears: keep ∪ remove is exactly the plan's input.
        const out = [...guarded.keep.map((k) => k.id), ...guarded.remove.map((r) => r.id)].sort();
        expect(out).toEqual(governed.map((b) => b.id).sort());
        // Every guard that changed the plan says so, as a keep reason too.
        for (const g of guarded.guarded) {
          expect(plan.remove.some((r) => r.id === g.id)).toBe(true);
          expect(guarded.keep.find((k) => k.id === g.id)?.reasons).toContain(g.detail);
        }
      }),
      { numRuns: 500 },
    );
  });
});
