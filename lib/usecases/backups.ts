import type { BackupRecord, CreateBackupInput } from "../core/backup.ts";
import type { Clock } from "../core/clock.ts";
import { ConflictError, InvalidTransitionError, ValidationError } from "../core/errors.ts";
import { newId } from "../core/ids.ts";
import { resourceKey, type Target } from "../core/target.ts";
import { eventFromBackup } from "../notify/event-builders.ts";
import type { BackupQuery, BackupRepository } from "../store/backups.ts";
import type { IdempotencyRepository } from "../store/idempotency.ts";
import type { LeaseRepository } from "../store/leases.ts";
import type { Page } from "../store/page.ts";
import type { PolicyRepository } from "../store/policies.ts";
import type { TargetRepository } from "../store/targets.ts";
import { executionName, type WorkflowStarter } from "../workflows/starter.ts";
import { idempotently } from "./idempotent.ts";
import { launchBackup } from "./launch.ts";
import { targetsOf } from "./policy-targets.ts";

/** The error code of a cancelled backup. */
export const CANCELLED = "CANCELLED";

function notCancellable(record: BackupRecord): ConflictError {
  return new ConflictError(
    `backup ${record.id} is ${record.status}; only a backup still being made (PENDING or CREATING) can be cancelled${record.status === "AVAILABLE" ? " — delete it instead" : ""}`,
    { backupStatus: record.status },
  );
}

/** Statuses from which an explicit delete request is accepted. */
const DELETABLE = new Set(["AVAILABLE", "EXPIRING", "DELETE_FAILED", "FAILED"]);

export interface BackupServiceDeps {
  backups: BackupRepository;
  targets: TargetRepository;
  policies: PolicyRepository;
  leases: LeaseRepository;
  idempotency: IdempotencyRepository;
  workflows: WorkflowStarter;
  clock: Clock;
  /** The deployment's cap on completion windows (WARDEN_MAX_COMPLETION_WINDOW_HOURS). */
  maxCompletionWindowMinutes?: number;
  /** Called once a guard over a backup has lifted (its hold): retention looks again. */
  onGuardLifted?: (record: BackupRecord) => Promise<void>;
}

/** On-demand backups and deletions requested through the API. */
export class BackupService {
  readonly #d: BackupServiceDeps;

  constructor(deps: BackupServiceDeps) {
    this.#d = deps;
  }

  /**
   * Starts an on-demand backup of a target.
   * 1. The Idempotency-Key, if any, is reserved first: a repeat returns the same backup.
   * 2. The vendor resource's lease is taken here, so a concurrent request gets 409 at once.
   * 3. The PENDING record is written, then the create-backup workflow is started.
   * A failure after step 2 undoes what it can and leaves nothing half-done.
   */
  async request(
    targetId: string,
    input: CreateBackupInput,
    idempotencyKey?: string,
  ): Promise<{ record: BackupRecord; created: boolean }> {
    const target = await this.#d.targets.get(targetId);
    if (input.policyId) await this.#checkGoverning(input.policyId, target);
    const backupId = newId("backup", this.#d.clock.now().getTime());
    const { result, created } = await idempotently(
      this.#d.idempotency,
      {
        scope: `create-backup#${targetId}`,
        key: idempotencyKey,
        body: input,
        resultId: backupId,
        now: this.#d.clock.now(),
      },
      () =>
        launchBackup(this.#d, target, {
          backupId,
          trigger: "api",
          ...(input.expiresAt ? { expiresAt: input.expiresAt } : {}),
          ...(input.policyId ? { policyId: input.policyId } : {}),
          ...(input.tags ? { tags: input.tags } : {}),
        }),
      (id) => this.#d.backups.find(id),
    );
    return { record: result, created };
  }

  /**
   * Cancels a backup still being made (PENDING or CREATING), for a job that will never end
   * or should not: the record settles FAILED with code CANCELLED (announced as
   * `backup.failed`), and the resource's lease is released at once. Its workflow ends at
   * its next step, finding the record settled; the vendor backup it may have started is
   * then deleted by the sweeper's clean-up of failed attempts, at its next pass rather
   * than an hour later (none of the four vendors documents cancelling a running backup
   * job, so deleting what it left is all the clean-up there is). Cancelling a cancelled
   * backup answers it again; any other settled backup is a 409.
   */
  async cancel(backupId: string, by: string): Promise<BackupRecord> {
    const record = await this.#d.backups.get(backupId);
    if (record.status === "FAILED" && record.lastError?.code === CANCELLED) return record;
    if (record.status !== "PENDING" && record.status !== "CREATING") throw notCancellable(record);
    const target = await this.#d.targets.get(record.targetId);
    const now = this.#d.clock.now().toISOString();
    let cancelled: BackupRecord;
    try {
      cancelled = await this.#d.backups.transition(
        backupId,
        "FAILED",
        {
          lastError: { code: CANCELLED, class: CANCELLED, message: `cancelled by ${by}`, at: now },
          completedAt: now,
        },
        {
          from: ["PENDING", "CREATING"],
          cause: `cancelled by ${by}`,
          events: (next) => [eventFromBackup("backup.failed", next, { targetName: target.name })],
        },
      );
    } catch (error) {
      if (!(error instanceof InvalidTransitionError)) throw error;
      // It settled meanwhile (AVAILABLE, FAILED on its own): say what it is now.
      throw notCancellable(await this.#d.backups.get(backupId));
    }
    await this.#d.leases.release(resourceKey(target), backupId);
    return cancelled;
  }

  /** A backup may join only the retention of a policy that covers its target. */
  async #checkGoverning(policyId: string, target: Target): Promise<void> {
    const policy = await this.#d.policies.find(policyId);
    const problem = !policy
      ? `policy ${policyId} does not exist`
      : !(await targetsOf(policy, this.#d.targets)).some((t) => t.id === target.id)
        ? `policy ${policyId} does not cover target ${target.id}`
        : undefined;
    if (problem)
      throw new ValidationError(
        "invalid backup request",
        [{ path: "policyId", message: problem }],
        422,
      );
  }

  /**
   * Requests deletion of a backup (→ DELETING, then the delete-backup workflow).
   * Repeating the request while it is DELETING or after it is DELETED changes nothing.
   */
  async requestDeletion(backupId: string, reason = "api"): Promise<BackupRecord> {
    const record = await this.#d.backups.get(backupId);
    if (record.status === "DELETING" || record.status === "DELETED") return record;
    if (record.hold) {
      throw new ConflictError(`backup ${backupId} is on legal hold: ${record.hold.reason}`, {
        hold: record.hold,
      });
    }
    if (record.restoringBy) {
      throw new ConflictError(
        `backup ${backupId} is being restored (${record.restoringBy.restoreId}); it can be deleted once the restore ends`,
        { restoreId: record.restoringBy.restoreId },
      );
    }
    if (!DELETABLE.has(record.status)) {
      throw new ConflictError(
        `backup ${backupId} is ${record.status}; it can be deleted once it is AVAILABLE or FAILED`,
        { backupStatus: record.status },
      );
    }
    const deleting = await this.#d.backups.transition(backupId, "DELETING", {
      deleteRequestedAt: this.#d.clock.now().toISOString(),
      deleteReason: reason,
    });
    await this.#d.workflows.start(
      "delete-backup",
      executionName("delete-backup", backupId, `v${deleting.version}`),
      {
        backupId,
        reason,
      },
    );
    return deleting;
  }

  /**
   * Places a legal hold: the backup is never deleted while it holds. A backup already
   * EXPIRING goes back to AVAILABLE; one being deleted can no longer be held (409).
   */
  async hold(backupId: string, reason: string, by: string): Promise<BackupRecord> {
    const hold = { reason, by, at: this.#d.clock.now().toISOString() };
    // The record may move on between our read and our conditional write (a workflow is
    // running): read again and retry, a few times.
    for (let attempt = 1; ; attempt++) {
      const record = await this.#d.backups.get(backupId);
      if (record.status === "DELETING" || record.status === "DELETED") {
        throw new ConflictError(
          `backup ${backupId} is ${record.status}; it can no longer be held`,
          {
            backupStatus: record.status,
          },
        );
      }
      try {
        const cause = `legal hold placed by ${by}: ${reason}`;
        if (record.status === "EXPIRING") {
          return await this.#d.backups.transition(
            backupId,
            "AVAILABLE",
            { hold, deleteReason: null, deleteRequestedAt: null },
            { from: ["EXPIRING"], cause },
          );
        }
        return await this.#d.backups.patch(backupId, record.status, { hold }, { cause });
      } catch (error) {
        if (!(error instanceof InvalidTransitionError) || attempt >= 5) throw error;
      }
    }
  }

  /**
   * Lifts a legal hold, as an audited act: who lifted it and when goes into the history,
   * with the hold that was lifted, and `backup.hold_lifted` is announced in the same write.
   * Retention then looks at the target again at once: a backup whose expiry passed while
   * it was held goes now, not at some later sweep.
   */
  async unhold(backupId: string, by: string): Promise<BackupRecord> {
    for (let attempt = 1; ; attempt++) {
      const record = await this.#d.backups.get(backupId);
      const { hold } = record;
      if (!hold) return record;
      try {
        const lifted = await this.#d.backups.patch(
          backupId,
          record.status,
          { hold: null },
          {
            cause: `legal hold lifted by ${by} (placed by ${hold.by} on ${hold.at}: ${hold.reason})`,
            events: (next) => [eventFromBackup("backup.hold_lifted", next, { hold, liftedBy: by })],
          },
        );
        await this.#d.onGuardLifted?.(lifted);
        return lifted;
      } catch (error) {
        if (!(error instanceof InvalidTransitionError) || attempt >= 5) throw error;
      }
    }
  }

  get(backupId: string): Promise<BackupRecord> {
    return this.#d.backups.get(backupId);
  }

  list(query: BackupQuery): Promise<Page<BackupRecord>> {
    return this.#d.backups.list(query);
  }
}
