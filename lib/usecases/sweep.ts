import type { BackupRecord } from "../core/backup.ts";
import type { Clock } from "../core/clock.ts";
import { SETTLED_RESTORE } from "../core/restore.ts";
import type { BackupStatus } from "../core/status.ts";
import { MetricName, type Metrics } from "../notify/metrics.ts";
import type { BackupRepository } from "../store/backups.ts";
import type { ExpiryRepository } from "../store/expiry.ts";
import type { PolicyRepository } from "../store/policies.ts";
import type { RestoreRepository } from "../store/restores.ts";
import type { TargetRepository } from "../store/targets.ts";
import type { WorkflowName } from "../workflows/definitions.ts";
import { executionName, type WorkflowStarter } from "../workflows/starter.ts";
import type { ComplianceService } from "./compliance.ts";
import type { DrillScheduler } from "./drills.ts";
import type { OutboxPublisher } from "./outbox.ts";
import type { RetentionService } from "./retention.ts";
import { isLive } from "./targets.ts";

/** A record in flight that has not moved for this long has no live workflow. */
export const STALE_AFTER_MS = 15 * 60 * 1000;
/** A FAILED attempt's partial vendor backup is cleaned up after this long. */
export const FAILED_CLEANUP_AFTER_MS = 60 * 60 * 1000;

/** What one sweep did. */
export interface SweepSummary {
  markers: number;
  /** Backups past their own expiry found without a marker, and expired. */
  expired: number;
  policies: number;
  deleteRetries: number;
  resumed: number;
  cleanups: number;
  retiredTargets: number;
  /** Targets put into the tag index (written before it existed). */
  indexedTargets: number;
  /** Domain events published from the outbox (the stream missed them). */
  outboxEvents: number;
  /** Restores in flight that stopped moving, resumed. */
  resumedRestores: number;
  /** Backups still marked as read by a restore that is over (or was never written), freed. */
  freedMarks: number;
  /** Restore drills started, and drill teardowns resumed. */
  drills: number;
  teardowns: number;
  /** Freshness: targets out of their objective now, breaches and recoveries announced. */
  breachedTargets: number;
  breaches: number;
  recoveries: number;
  /** Targets no policy covers. */
  unprotectedTargets: number;
  /** Items that failed (logged); the sweep went on with the rest. */
  errors: number;
}

const RESUME: Partial<Record<BackupStatus, WorkflowName>> = {
  PENDING: "create-backup",
  CREATING: "create-backup",
  EXPIRING: "delete-backup",
  DELETING: "delete-backup",
};

export interface SweeperDeps {
  backups: BackupRepository;
  restores: RestoreRepository;
  targets: TargetRepository;
  policies: PolicyRepository;
  expiry: ExpiryRepository;
  retention: RetentionService;
  workflows: WorkflowStarter;
  clock: Clock;
  /** Starts the restore drills that are due (lib/usecases/drills.ts). */
  drills?: Pick<DrillScheduler, "run">;
  /** The freshness monitor (lib/usecases/compliance.ts). */
  compliance?: Pick<ComplianceService, "watch">;
  /** Gauges of the freshness monitor (FreshnessBreached, UnprotectedTargets). */
  metrics?: Metrics;
  /** The outbox, drained here as the backstop of its stream. */
  outbox?: Pick<OutboxPublisher, "drain">;
  warn?: (message: string, error: unknown) => void;
}

/** Outbox items the stream has not published after this long are published by the sweep. */
export const OUTBOX_BACKSTOP_AFTER_MS = 5 * 60 * 1000;

/**
 * The sweeper (every 15 minutes on AWS): the safety net under the event-driven paths.
 * 1. Expiry markers that are due, found by their sparse index (TTL may lag by days), and
 *    AVAILABLE backups past their own expiry that no marker speaks for any more.
 * 2. Every enabled policy re-planned (count/GFS rules).
 * 3. DELETE_FAILED backups retried.
 * 4. Records in flight that stopped moving (a lost execution) resumed.
 * 5. FAILED attempts that left a vendor backup behind cleaned up.
 * 6. Retired targets (deleted with backups=expire) removed once their backups are gone.
 * 7. Domain events the outbox's stream did not publish within minutes, published.
 * 8. Restores in flight that stopped moving resumed; a backup's restore mark that outlived
 *    its restore (a crash between the mark and the record) lifted.
 * 9. Every target's freshness against its objective: breaches and recoveries announced
 *    once, whether or not anything ran (lib/usecases/compliance.ts).
 * Everything it starts has a deterministic execution name, so two sweeps do not double up.
 */
export class Sweeper {
  readonly #d: SweeperDeps;

  constructor(deps: SweeperDeps) {
    this.#d = deps;
  }

  async sweep(): Promise<SweepSummary> {
    const now = this.#d.clock.now();
    const summary: SweepSummary = {
      markers: 0,
      expired: 0,
      policies: 0,
      deleteRetries: 0,
      resumed: 0,
      cleanups: 0,
      retiredTargets: 0,
      indexedTargets: 0,
      outboxEvents: 0,
      resumedRestores: 0,
      freedMarks: 0,
      drills: 0,
      teardowns: 0,
      breachedTargets: 0,
      breaches: 0,
      recoveries: 0,
      unprotectedTargets: 0,
      errors: 0,
    };
    // One item's failure (a hold placed meanwhile, a lost race, a vendor hiccup) is
    // logged and counted; it must never stop the sweep for everything after it.
    const each = async (what: string, work: () => Promise<void>) => {
      try {
        await work();
      } catch (error) {
        summary.errors++;
        this.#d.warn?.(`sweep: ${what} failed`, error);
      }
    };
    for (const marker of await this.#d.expiry.due(now)) {
      await each(`expiry marker of ${marker.backupId}`, async () => {
        // Act first, then remove: if we crash in between, the next sweep acts again (idempotent).
        await this.#d.retention.onMarkerDue(marker.backupId);
        // Only this marker: a guard may have re-armed it for later, which must stay.
        await this.#d.expiry.remove(marker.backupId, marker.dueAt);
        summary.markers++;
      });
    }
    // 1b. Backups past their own expiry that a guard kept when their marker fired: the
    // guard may have lifted since, with no marker left to notice.
    await this.#d.backups.forEachExpiredAvailable(now, (r) =>
      each(`expiry of ${r.id}`, async () => {
        if ((await this.#d.retention.onMarkerDue(r.id)) === "expired") summary.expired++;
      }),
    );
    let cursor: string | undefined;
    do {
      const page = await this.#d.policies.list({ limit: 100, cursor });
      for (const policy of page.items.filter((p) => p.enabled)) {
        await each(`re-plan of policy ${policy.id}`, async () => {
          await this.#d.retention.applyPolicy(policy);
          summary.policies++;
        });
      }
      cursor = page.nextCursor;
    } while (cursor);
    await this.#d.backups.forEachWithStatus("DELETE_FAILED", (r) =>
      each(`delete retry of ${r.id}`, async () => {
        await this.#start("delete-backup", r, `retry${r.version}`, {
          reason: r.deleteReason ?? "retry",
        });
        summary.deleteRetries++;
      }),
    );
    for (const [status, workflow] of Object.entries(RESUME) as [BackupStatus, WorkflowName][]) {
      await this.#d.backups.forEachWithStatus(status, (r) =>
        each(`resume of ${r.id}`, async () => {
          if (now.getTime() - Date.parse(r.updatedAt) < STALE_AFTER_MS) return;
          await this.#start(
            workflow,
            r,
            `resume${r.version}`,
            workflow === "delete-backup" ? { reason: r.deleteReason ?? "resume" } : {},
          );
          summary.resumed++;
        }),
      );
    }
    await this.#d.backups.forEachWithStatus("FAILED", (r) =>
      each(`clean-up of ${r.id}`, async () => {
        // A held failed attempt stays as it is, leftovers and all, until the hold is lifted.
        if (r.hold || !r.providerBackupId) return;
        // Imported records are not our failed attempts: unmanaged ones are never deleted
        // here, orphans go when the reconciler's grace is over.
        if (r.origin === "unmanaged" || r.origin === "orphan") return;
        // A cancelled backup was stopped on purpose: what it left goes at once. Any other
        // failed attempt waits an hour (a late vendor answer may still arrive).
        if (
          r.lastError?.code !== "CANCELLED" &&
          now.getTime() - Date.parse(r.completedAt ?? r.updatedAt) < FAILED_CLEANUP_AFTER_MS
        )
          return;
        const deleting = await this.#d.backups.transition(
          r.id,
          "DELETING",
          { deleteReason: "cleanup of a failed attempt", deleteRequestedAt: now.toISOString() },
          { from: ["FAILED"] },
        );
        await this.#start("delete-backup", deleting, `v${deleting.version}`, {
          reason: "cleanup of a failed attempt",
        });
        summary.cleanups++;
      }),
    );
    // 6a. Targets written before the tag index existed (or by an older version) get
    // indexed, so that selectors may Query it.
    await each("tag index", async () => {
      summary.indexedTargets += await this.#d.targets.indexUnindexed();
    });
    // 6. Targets deleted with backups=expire go once none of their backups is left.
    let targetCursor: string | undefined;
    do {
      const page = await this.#d.targets.list({ limit: 100, cursor: targetCursor });
      for (const target of page.items.filter((t) => t.retiredAt)) {
        await each(`removal of retired target ${target.id}`, async () => {
          // Unmanaged records stay with the vendor's backups; they do not hold the target.
          const live = (await this.#d.backups.listAllOfTarget(target.id)).filter(
            (b) => isLive(b) && b.origin !== "unmanaged",
          );
          if (live.length === 0) {
            await this.#d.targets.delete(target.id);
            summary.retiredTargets++;
          }
        });
      }
      targetCursor = page.nextCursor;
    } while (targetCursor);
    for (const status of ["PENDING", "RESTORING"] as const) {
      for await (const r of this.#d.restores.inStatus(status))
        await each(`resume of restore ${r.id}`, async () => {
          if (now.getTime() - Date.parse(r.updatedAt) < STALE_AFTER_MS) return;
          await this.#d.workflows.start(
            "restore-backup",
            executionName("restore-backup", r.id, `resume${r.version}`),
            { restoreId: r.id },
          );
          summary.resumedRestores++;
        });
    }
    // A drill whose teardown stopped (its workflow failed through the Catch, or died) is
    // started again: its steps tear down what it created, and only that.
    for (const status of ["RESTORED", "RESTORE_FAILED"] as const) {
      for await (const r of this.#d.restores.inStatus(status))
        await each(`teardown of drill ${r.id}`, async () => {
          if (r.drill?.teardown !== "PENDING") return;
          if (now.getTime() - Date.parse(r.updatedAt) < STALE_AFTER_MS) return;
          await this.#d.workflows.start(
            "restore-backup",
            executionName("restore-backup", r.id, `teardown${r.version}`),
            { restoreId: r.id },
          );
          summary.teardowns++;
        });
    }
    const drills = this.#d.drills;
    if (drills)
      await each("restore drills", async () => {
        const pass = await drills.run();
        summary.drills += pass.started;
        for (const s of pass.skipped)
          this.#d.warn?.(
            `policy ${s.policyId} asks for restore drills of ${s.targetId}, which cannot be drilled: ${s.reason}`,
            undefined,
          );
      });
    await this.#d.backups.forEachRestoring((r) =>
      each(`restore mark of ${r.id}`, async () => {
        const mark = r.restoringBy;
        if (!mark || now.getTime() - Date.parse(mark.since) < STALE_AFTER_MS) return;
        const restore = await this.#d.restores.find(mark.restoreId);
        if (restore && !SETTLED_RESTORE.has(restore.status)) return;
        await this.#d.backups.unmarkRestoring(r.id, mark.restoreId);
        summary.freedMarks++;
      }),
    );
    const compliance = this.#d.compliance;
    if (compliance)
      await each("freshness", async () => {
        const watched = await compliance.watch();
        summary.breachedTargets = watched.breached;
        summary.breaches = watched.breaches;
        summary.recoveries = watched.recoveries;
        summary.unprotectedTargets = watched.unprotected;
        this.#d.metrics?.count(MetricName.freshnessBreached, {}, watched.breached);
        this.#d.metrics?.count(MetricName.unprotectedTargets, {}, watched.unprotected);
      });
    // Last, so that what the steps above announced is published within this sweep too.
    const outbox = this.#d.outbox;
    if (outbox) {
      await each("outbox backstop", async () => {
        const before = new Date(now.getTime() - OUTBOX_BACKSTOP_AFTER_MS);
        summary.outboxEvents += (await outbox.drain({ before })).events;
      });
    }
    return summary;
  }

  #start(
    workflow: WorkflowName,
    record: BackupRecord,
    suffix: string,
    extra: Record<string, unknown>,
  ) {
    return this.#d.workflows.start(workflow, executionName(workflow, record.id, suffix), {
      backupId: record.id,
      ...extra,
    });
  }
}
