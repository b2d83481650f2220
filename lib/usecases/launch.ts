import type { BackupRecord, BackupTrigger } from "../core/backup.ts";
import type { Clock } from "../core/clock.ts";
import { ConflictError } from "../core/errors.ts";
import { resourceKey, type Target } from "../core/target.ts";
import { eventFromBackup } from "../notify/event-builders.ts";
import type { BackupRepository } from "../store/backups.ts";
import type { LeaseRepository } from "../store/leases.ts";
import { executionName, type WorkflowStarter } from "../workflows/starter.ts";

/**
 * The lease taken when a backup is launched lasts only for the handover to the workflow,
 * whose first step re-takes it for the whole completion window: a crash in between frees
 * the resource within minutes, not hours.
 */
export const HANDOVER_LEASE_MS = 2 * 60 * 1000;

/**
 * The completion window a backup of the target gets: the target's own, never above the
 * deployment's cap (a target registered before the cap was lowered is held to it too).
 */
export function completionWindowMinutes(target: Target, capMinutes: number | undefined): number {
  return capMinutes === undefined
    ? target.completionWindowMinutes
    : Math.min(target.completionWindowMinutes, capMinutes);
}

/** What a new backup is, besides its target. */
export interface LaunchRequest {
  backupId: string;
  trigger: BackupTrigger;
  policyId?: string;
  scheduledAt?: string;
  expiresAt?: string;
  tags?: readonly string[];
}

/**
 * Launches one backup: takes the vendor resource's lease (so a concurrent launch fails
 * at once with LeaseHeldError), writes the PENDING record and starts the create-backup
 * workflow. Launching the same backup id again (a re-driven tick) re-uses the record and
 * starts nothing new. If the workflow cannot be started, the record is FAILED and the
 * lease released: nothing is left half-done.
 */
export async function launchBackup(
  deps: {
    backups: BackupRepository;
    leases: LeaseRepository;
    workflows: WorkflowStarter;
    clock: Clock;
    /** The deployment's cap on completion windows (WARDEN_MAX_COMPLETION_WINDOW_HOURS). */
    maxCompletionWindowMinutes?: number;
  },
  target: Target,
  request: LaunchRequest,
): Promise<BackupRecord> {
  const now = deps.clock.now();
  const resource = resourceKey(target);
  await deps.leases.acquire(resource, request.backupId, HANDOVER_LEASE_MS);
  let record: BackupRecord;
  try {
    record = await deps.backups.create(
      {
        id: request.backupId,
        targetId: target.id,
        provider: target.provider,
        status: "PENDING",
        trigger: request.trigger,
        ...(request.policyId ? { policyId: request.policyId } : {}),
        ...(request.scheduledAt ? { scheduledAt: request.scheduledAt } : {}),
        ...(request.expiresAt ? { expiresAt: request.expiresAt } : {}),
        ...(request.tags?.length ? { tags: [...new Set(request.tags)] } : {}),
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
        deadlineAt: new Date(
          now.getTime() + completionWindowMinutes(target, deps.maxCompletionWindowMinutes) * 60_000,
        ).toISOString(),
        version: 0,
      },
      (created) => [eventFromBackup("backup.created", created, { targetName: target.name })],
    );
  } catch (error) {
    if (!(error instanceof ConflictError)) {
      await deps.leases.release(resource, request.backupId);
      throw error;
    }
    record = await deps.backups.get(request.backupId);
  }
  try {
    await deps.workflows.start("create-backup", executionName("create-backup", request.backupId), {
      backupId: request.backupId,
    });
  } catch (error) {
    await deps.backups.transition(
      request.backupId,
      "FAILED",
      {
        lastError: {
          code: "WORKFLOW_START_FAILED",
          class: "INTERNAL",
          message: "the create-backup workflow could not be started",
          at: now.toISOString(),
        },
      },
      {
        events: (failed) => [eventFromBackup("backup.failed", failed, { targetName: target.name })],
      },
    );
    await deps.leases.release(resource, request.backupId);
    throw error;
  }
  return record;
}
