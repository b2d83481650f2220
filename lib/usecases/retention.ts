import type { BackupRecord } from "../core/backup.ts";
import type { Clock } from "../core/clock.ts";
import { InvalidTransitionError } from "../core/errors.ts";
import type { Policy } from "../core/policy.ts";
import type { Target } from "../core/target.ts";
import { eventFromBackup } from "../notify/event-builders.ts";
import { applyGuards, type GuardedPlan } from "../retention/guards.ts";
import { planRetention } from "../retention/index.ts";
import type { BackupRepository } from "../store/backups.ts";
import type { ExpiryRepository } from "../store/expiry.ts";
import type { PolicyRepository } from "../store/policies.ts";
import type { TargetRepository } from "../store/targets.ts";
import { executionName, type WorkflowStarter } from "../workflows/starter.ts";
import { targetsOf } from "./policy-targets.ts";

const DAY_MS = 24 * 60 * 60 * 1000;
/** When a guard keeps an expired backup, its marker is re-armed this far ahead. */
const RECHECK_MS = 60 * 60 * 1000;

/** One target's plan under a policy, after the guards; entries carry the backup's creation time. */
export interface TargetPlan {
  targetId: string;
  keep: Array<{ id: string; reasons: string[]; createdAt: string }>;
  remove: Array<{ id: string; createdAt: string }>;
  guarded: GuardedPlan["guarded"];
  /** Set when the guards suspend the target's retention as a whole, saying why. */
  suspended?: string;
}

export interface RetentionDeps {
  backups: BackupRepository;
  targets: TargetRepository;
  policies: PolicyRepository;
  expiry: ExpiryRepository;
  workflows: WorkflowStarter;
  clock: Clock;
}

/**
 * The retention lifecycle: plans with the restic-exact planner, applies the guards, and
 * moves what falls out to EXPIRING and into the delete workflow. Every step is
 * idempotent: a repeated marker, a second sweeper or a crash between EXPIRING and the
 * vendor delete never deletes twice and never loses the record.
 */
export class RetentionService {
  readonly #d: RetentionDeps;

  constructor(deps: RetentionDeps) {
    this.#d = deps;
  }

  /** The time as this service sees it (previews report it). */
  now(): Date {
    return this.#d.clock.now();
  }

  /** The guarded plan of one target under a policy (nothing is changed). */
  async planTarget(policy: Policy, target: Target, now = this.#d.clock.now()): Promise<TargetPlan> {
    const backups = await this.#d.backups.listAllOfTarget(target.id);
    // Our own backups of this policy, and the target's unmanaged ones only if it opts in;
    // orphans are never the policy's (the reconciler deletes them after their grace).
    const governed = backups.filter(
      (b) =>
        b.status === "AVAILABLE" &&
        (b.origin === "unmanaged" ? policy.includeUnmanaged : b.policyId === policy.id) &&
        b.origin !== "orphan",
    );
    const plan = planRetention(
      governed.map((b) => ({ id: b.id, createdAt: b.createdAt, tags: b.tags ?? [] })),
      policy.retention,
      { now },
    );
    const guarded = applyGuards(plan, backups, now, {
      keepAtLeast: policy.keepAtLeast,
      keepVerified: policy.verify !== undefined,
    });
    const createdAt = new Map(backups.map((b) => [b.id, b.createdAt]));
    const at = <T extends { id: string }>(entry: T) => ({
      ...entry,
      createdAt: createdAt.get(entry.id) ?? "",
    });
    return {
      targetId: target.id,
      keep: guarded.keep.map(at),
      remove: guarded.remove.map(at),
      guarded: guarded.guarded,
      ...(guarded.suspended ? { suspended: guarded.suspended } : {}),
    };
  }

  /** The guarded plan of every target of a policy (the preview). */
  async planPolicy(policy: Policy, now = this.#d.clock.now()): Promise<TargetPlan[]> {
    const targets = await targetsOf(policy, this.#d.targets);
    return Promise.all(targets.map((t) => this.planTarget(policy, t, now)));
  }

  /** Re-plans one target and expires what falls out; returns the plan it applied. */
  async applyTarget(policy: Policy, target: Target): Promise<TargetPlan> {
    const plan = await this.planTarget(policy, target);
    for (const { id } of plan.remove) await this.expire(id, `retention policy ${policy.id}`);
    for (const { id, reasons } of plan.keep) {
      const record = await this.#d.backups.find(id);
      if (
        record?.status === "AVAILABLE" &&
        JSON.stringify(record.keepReasons) !== JSON.stringify(reasons)
      ) {
        await this.#d.backups
          .patch(id, "AVAILABLE", { keepReasons: reasons })
          .catch(ignoreLostRace);
      }
    }
    return plan;
  }

  /** Re-plans every target of a policy. */
  async applyPolicy(policy: Policy): Promise<TargetPlan[]> {
    const plans: TargetPlan[] = [];
    for (const target of await targetsOf(policy, this.#d.targets))
      plans.push(await this.applyTarget(policy, target));
    return plans;
  }

  /**
   * AVAILABLE → EXPIRING, then the delete workflow. Re-running it for a record already
   * EXPIRING re-starts the same execution name, which starts nothing new — this is what
   * recovers a crash between the two steps.
   */
  async expire(backupId: string, reason: string): Promise<void> {
    let record: BackupRecord;
    try {
      record = await this.#d.backups.transition(
        backupId,
        "EXPIRING",
        { deleteReason: reason, deleteRequestedAt: this.#d.clock.now().toISOString() },
        { events: (next) => [eventFromBackup("backup.expiring", next, { reason })] },
      );
    } catch (error) {
      if (!(error instanceof InvalidTransitionError)) throw error;
      const current = await this.#d.backups.find(backupId);
      if (current?.status !== "EXPIRING") return;
      record = current;
    }
    await this.#d.workflows.start(
      "delete-backup",
      executionName("delete-backup", backupId, `v${record.version}`),
      {
        backupId,
        reason: record.deleteReason ?? reason,
      },
    );
  }

  /** After a backup becomes AVAILABLE: write its expiry marker and re-plan its policy. */
  async onAvailable(record: BackupRecord): Promise<void> {
    const policy = record.policyId ? await this.#d.policies.find(record.policyId) : undefined;
    const keepDays = policy?.retention.keepDays;
    const dueAt =
      record.expiresAt ??
      (keepDays
        ? new Date(Date.parse(record.createdAt) + keepDays * DAY_MS).toISOString()
        : undefined);
    if (dueAt) {
      await this.#d.expiry.put({
        backupId: record.id,
        dueAt,
        reason: record.expiresAt ? "expiresAt" : `keepDays ${keepDays}`,
      });
    }
    if (policy) await this.applyTarget(policy, await this.#d.targets.get(record.targetId));
    // A newer good backup lifts the newest-available guard from the older ones: whatever
    // it was keeping past its expiry is looked at now, not at the next sweep.
    await this.reexamineTarget(record.targetId, { except: policy?.id });
  }

  /**
   * A guard over the target's backups may have lifted (a hold was lifted, a newer backup
   * landed): every backup it was keeping past its expiry is looked at again, at once.
   * The policies governing the target's AVAILABLE backups are re-planned, and each backup
   * past its own `expiresAt` is expired unless a guard still keeps it.
   */
  async reexamineTarget(targetId: string, options: { except?: string } = {}): Promise<void> {
    const target = await this.#d.targets.find(targetId);
    if (!target) return;
    const available = (await this.#d.backups.listAllOfTarget(targetId)).filter(
      (b) => b.status === "AVAILABLE",
    );
    const policyIds = new Set(available.flatMap((b) => (b.policyId ? [b.policyId] : [])));
    policyIds.delete(options.except ?? "");
    const now = this.#d.clock.now().getTime();
    const replanned = new Set<string>();
    for (const policyId of policyIds) {
      const policy = await this.#d.policies.find(policyId);
      if (!policy?.enabled) continue;
      await this.applyTarget(policy, target);
      replanned.add(policyId);
    }
    for (const backup of available) {
      if (backup.policyId && (replanned.has(backup.policyId) || backup.policyId === options.except))
        continue;
      if (backup.expiresAt && Date.parse(backup.expiresAt) <= now)
        await this.onMarkerDue(backup.id);
    }
  }

  /**
   * An expiry marker fell due (TTL deletion seen on the stream, or the sweeper). A
   * policy's backup is judged by re-planning its target (a GFS rule may still keep it);
   * an API backup past its own expiry is expired unless a guard forbids it.
   */
  async onMarkerDue(backupId: string): Promise<"expired" | "replanned" | "kept" | "ignored"> {
    const record = await this.#d.backups.find(backupId);
    if (record?.status !== "AVAILABLE") return "ignored";
    const target = await this.#d.targets.find(record.targetId);
    if (!target) return "ignored";
    const policy = record.policyId ? await this.#d.policies.find(record.policyId) : undefined;
    if (policy) {
      await this.applyTarget(policy, target);
      return "replanned";
    }
    const all = await this.#d.backups.listAllOfTarget(target.id);
    const now = this.#d.clock.now();
    const guarded = applyGuards({ keep: [], remove: [{ id: record.id }] }, all, now);
    if (guarded.remove.length === 0) {
      // A guard (hold, newest backup) keeps it for now: look again later.
      await this.#d.expiry.put({
        backupId: record.id,
        dueAt: new Date(now.getTime() + RECHECK_MS).toISOString(),
        reason: `re-check: ${guarded.guarded[0]?.guard ?? "guard"}`,
      });
      return "kept";
    }
    await this.expire(record.id, "its own expiry (expiresAt)");
    return "expired";
  }
}

function ignoreLostRace(error: unknown): void {
  if (!(error instanceof InvalidTransitionError)) throw error;
}
