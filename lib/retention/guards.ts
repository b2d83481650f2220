import type { RetentionPlan } from "./planner.ts";

/** What the guards need to know of a backup (all backups of one target). */
export interface GuardInput {
  id: string;
  createdAt: string;
  status: string;
  hold?: { reason: string; by: string };
  /** A restore reading it: never removed while it runs. */
  restoringBy?: { restoreId: string };
  /** The last restore drill's result. */
  verification?: { result: string };
  /** An explicit expiry: the backup is kept at least until then. */
  expiresAt?: string;
  /** Found at the vendor (unmanaged, orphan): never one of the target's good backups of ours. */
  origin?: string;
  /** How it came to be; `schedule` backups tell whether the schedule still succeeds. */
  trigger?: string;
  /** Its status changes, oldest first: whether a deleted backup had been good or had failed. */
  history?: ReadonlyArray<{ status: string }>;
}

/** The guards, by name; each says so in the result when it changed the plan. */
export const GUARDS = {
  newestAvailable: "newest-available",
  hold: "hold",
  restoring: "restoring",
  newestVerified: "newest-verified",
  explicitExpiry: "explicit-expiry",
  latestScheduledFailed: "latest-scheduled-failed",
} as const;
export type GuardName = (typeof GUARDS)[keyof typeof GUARDS];

/** How the guards are tuned (the policy's `keepAtLeast`). */
export interface GuardOptions {
  /** The newest this many AVAILABLE backups of ours are never removed; default 1. */
  keepAtLeast?: number;
  /** The newest AVAILABLE backup a drill proved restorable is never removed (policies with drills). */
  keepVerified?: boolean;
}

/** A plan after the guards: what they saved from removal, and why. */
export interface GuardedPlan extends RetentionPlan {
  guarded: Array<{ id: string; guard: GuardName; detail: string }>;
  /** Set when the target's retention is suspended as a whole, saying why. */
  suspended?: string;
}

/**
 * What a backup says of its schedule: it succeeded (it became AVAILABLE, even if it has
 * been deleted since), it failed (it ended FAILED, even if its leftovers were cleaned up
 * since), or nothing yet (still on its way).
 */
function outcomeOf(backup: GuardInput): "good" | "failed" | undefined {
  if (backup.status === "AVAILABLE" || backup.status === "EXPIRING") return "good";
  if (backup.status === "FAILED") return "failed";
  const seen = new Set((backup.history ?? []).map((h) => h.status));
  if (seen.has("AVAILABLE")) return "good";
  if (seen.has("FAILED")) return "failed";
  return undefined;
}

const newestFirst = (a: GuardInput, b: GuardInput) =>
  Date.parse(b.createdAt) - Date.parse(a.createdAt) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/**
 * Applies the safety guards on top of a retention plan (the planner stays pure and
 * restic-exact; the lifecycle calls this):
 * - never remove a backup on legal hold, nor one a restore is reading;
 * - never remove a backup before its own explicit expiry;
 * - with drills (`keepVerified`), never remove the newest backup a drill proved restorable;
 * - never remove one of the target's `keepAtLeast` newest AVAILABLE backups (ours), so no
 *   removal leaves the target with fewer good backups than that;
 * - when the target's latest finished scheduled backup FAILED, remove nothing at all until
 *   a good one lands: the backups we have are all there is.
 * A removal a guard blocks moves to `keep`, with the guard's reason, and is listed in
 * `guarded`.
 *
 * @param backups every backup of the target (not only those the policy governs), so its
 *   newest AVAILABLE ones and its latest scheduled one are known.
 */
export function applyGuards(
  plan: RetentionPlan,
  backups: GuardInput[],
  now: Date,
  options: GuardOptions = {},
): GuardedPlan {
  const keepAtLeast = Math.max(1, options.keepAtLeast ?? 1);
  const byId = new Map(backups.map((b) => [b.id, b]));
  const newest = backups
    .filter((b) => b.status === "AVAILABLE" && (b.origin ?? "managed") === "managed")
    .sort(newestFirst)
    .slice(0, keepAtLeast);
  const protectedIds = new Set(newest.map((b) => b.id));
  const verified = options.keepVerified
    ? backups
        .filter((b) => b.status === "AVAILABLE" && b.verification?.result === "PASSED")
        .sort(newestFirst)
        .at(0)?.id
    : undefined;
  const latestScheduled = backups
    .filter((b) => b.trigger === "schedule" && outcomeOf(b) !== undefined)
    .sort(newestFirst)
    .at(0);
  const suspended =
    latestScheduled && outcomeOf(latestScheduled) === "failed"
      ? `the latest scheduled backup ${latestScheduled.id} FAILED: nothing is removed until a good one lands`
      : undefined;
  const keep = plan.keep.map((k) => ({ id: k.id, reasons: [...k.reasons] }));
  const remove: RetentionPlan["remove"] = [];
  const guarded: GuardedPlan["guarded"] = [];
  for (const { id } of plan.remove) {
    const backup = byId.get(id);
    const block = backup
      ? guardOf(backup, protectedIds, keepAtLeast, now, suspended, verified)
      : suspended === undefined
        ? undefined
        : { guard: GUARDS.latestScheduledFailed, detail: suspended };
    if (block) {
      keep.push({ id, reasons: [block.detail] });
      guarded.push({ id, ...block });
    } else {
      remove.push({ id });
    }
  }
  return suspended ? { keep, remove, guarded, suspended } : { keep, remove, guarded };
}

function guardOf(
  backup: GuardInput,
  protectedIds: ReadonlySet<string>,
  keepAtLeast: number,
  now: Date,
  suspended: string | undefined,
  verified: string | undefined,
): { guard: GuardName; detail: string } | undefined {
  if (backup.hold)
    return { guard: GUARDS.hold, detail: `legal hold by ${backup.hold.by}: ${backup.hold.reason}` };
  if (backup.restoringBy)
    return {
      guard: GUARDS.restoring,
      detail: `being restored (${backup.restoringBy.restoreId})`,
    };
  if (backup.expiresAt && Date.parse(backup.expiresAt) > now.getTime()) {
    return {
      guard: GUARDS.explicitExpiry,
      detail: `kept until its own expiry ${backup.expiresAt}`,
    };
  }
  if (protectedIds.has(backup.id))
    return {
      guard: GUARDS.newestAvailable,
      detail:
        keepAtLeast === 1
          ? "newest available backup of the target"
          : `one of the ${keepAtLeast} newest available backups of the target (keepAtLeast ${keepAtLeast})`,
    };
  if (backup.id === verified)
    return {
      guard: GUARDS.newestVerified,
      detail: "newest backup of the target a restore drill proved restorable",
    };
  if (suspended) return { guard: GUARDS.latestScheduledFailed, detail: suspended };
  return undefined;
}
