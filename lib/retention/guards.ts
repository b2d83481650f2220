import type { RetentionPlan } from "./planner.ts";

/** What the guards need to know of a backup (all backups of one target). */
export interface GuardInput {
  id: string;
  createdAt: string;
  status: string;
  hold?: { reason: string; by: string };
  /** An explicit expiry: the backup is kept at least until then. */
  expiresAt?: string;
  /** Found at the vendor (unmanaged, orphan): never the target's newest good backup of ours. */
  origin?: string;
}

/** The guards, by name; each says so in the result when it changed the plan. */
export const GUARDS = {
  newestAvailable: "newest-available",
  hold: "hold",
  explicitExpiry: "explicit-expiry",
} as const;
export type GuardName = (typeof GUARDS)[keyof typeof GUARDS];

/** A plan after the guards: what they saved from removal, and why. */
export interface GuardedPlan extends RetentionPlan {
  guarded: Array<{ id: string; guard: GuardName; detail: string }>;
}

/**
 * Applies the safety guards on top of a retention plan (the planner stays pure and
 * restic-exact; the lifecycle calls this):
 * - never remove the newest AVAILABLE backup of the target;
 * - never remove a backup on legal hold;
 * - never remove a backup before its own explicit expiry.
 * A removal a guard blocks moves to `keep`, with the guard's reason, and is listed in
 * `guarded`.
 *
 * @param backups every backup of the target (not only those the policy governs), so the
 *   newest AVAILABLE one is known.
 */
export function applyGuards(plan: RetentionPlan, backups: GuardInput[], now: Date): GuardedPlan {
  const byId = new Map(backups.map((b) => [b.id, b]));
  const newest = backups
    .filter((b) => b.status === "AVAILABLE" && (b.origin ?? "managed") === "managed")
    .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || (a.id < b.id ? 1 : -1))
    .at(0);
  const keep = plan.keep.map((k) => ({ id: k.id, reasons: [...k.reasons] }));
  const remove: RetentionPlan["remove"] = [];
  const guarded: GuardedPlan["guarded"] = [];
  for (const { id } of plan.remove) {
    const backup = byId.get(id);
    const block = backup ? guardOf(backup, newest?.id, now) : undefined;
    if (block) {
      keep.push({ id, reasons: [block.detail] });
      guarded.push({ id, ...block });
    } else {
      remove.push({ id });
    }
  }
  return { keep, remove, guarded };
}

function guardOf(
  backup: GuardInput,
  newestId: string | undefined,
  now: Date,
): { guard: GuardName; detail: string } | undefined {
  if (backup.hold)
    return { guard: GUARDS.hold, detail: `legal hold by ${backup.hold.by}: ${backup.hold.reason}` };
  if (backup.expiresAt && Date.parse(backup.expiresAt) > now.getTime()) {
    return {
      guard: GUARDS.explicitExpiry,
      detail: `kept until its own expiry ${backup.expiresAt}`,
    };
  }
  if (backup.id === newestId)
    return { guard: GUARDS.newestAvailable, detail: "newest available backup of the target" };
  return undefined;
}
