import type { Clock } from "../core/clock.ts";
import { LeaseHeldError, WardenError } from "../core/errors.ts";
import { newId } from "../core/ids.ts";
import type { Policy } from "../core/policy.ts";
import type { Target } from "../core/target.ts";
import { scheduleEvent } from "../notify/event-builders.ts";
import type { LaunchMessage } from "../schedule/run-queue.ts";
import type { BackupRepository } from "../store/backups.ts";
import type { LeaseRepository } from "../store/leases.ts";
import type { PolicyRepository } from "../store/policies.ts";
import type { RunRepository, ScheduleRun } from "../store/runs.ts";
import type { TargetRepository } from "../store/targets.ts";
import type { WorkflowStarter } from "../workflows/starter.ts";
import { launchBackup } from "./launch.ts";

/** What a schedule run turned into, for events and logs. */
export type RunOutcome =
  | { kind: "failed"; run: ScheduleRun; error: string }
  | { kind: "started"; run: ScheduleRun }
  | { kind: "skipped"; run: ScheduleRun; runningBackupId?: string }
  | { kind: "missed"; run: ScheduleRun; startWindowMinutes: number }
  /** The run was settled before (a redelivered message), or is not in the table: nothing was done. */
  | { kind: "settled"; run?: ScheduleRun };

/** A run an error stopped, as recorded. */
export type FailedRun = Extract<RunOutcome, { kind: "failed" }>;

/** What recording a failed run needs. */
export interface RunRecorderDeps {
  runs: RunRepository;
  clock: Clock;
  /** Told about a failure that was recorded and gone on from (logs). */
  warn?: (message: string, error: unknown) => void;
}

/**
 * Records a run an error stopped (FAILED, the reason kept) and announces it once, in the
 * same write (`schedule.failed`; its event id is the run's, so a later attempt failing the
 * same way announces nothing new). `target` undefined: the policy itself failed (its
 * selector could not be read), recorded as the run of target `*`.
 */
export async function recordFailedRun(
  deps: RunRecorderDeps,
  policy: Policy,
  target: Target | undefined,
  error: unknown,
  at: { scheduledAt: string; now: Date },
): Promise<FailedRun> {
  const { scheduledAt, now } = at;
  const code = error instanceof Error ? error.name : "Error";
  // Our errors are worded to be shown; anyone else's may quote what it should not.
  const message = error instanceof WardenError ? error.message : `an unexpected ${code}`;
  deps.warn?.(`dispatch of policy ${policy.id}${target ? ` for ${target.id}` : ""} failed`, error);
  const reason = `${target ? "the run" : "the policy's tick"} failed: ${message}`.slice(0, 500);
  let run: ScheduleRun = {
    policyId: policy.id,
    targetId: target?.id ?? "*",
    scheduledAt,
    backupId: newId("backup", now.getTime()),
    at: now.toISOString(),
    status: "FAILED",
    reason,
  };
  try {
    ({ run } = await deps.runs.claim(run));
    await deps.runs.settle(run, "FAILED", reason, [
      scheduleEvent("schedule.failed", {
        policyId: policy.id,
        policyName: policy.name,
        ...(target
          ? { targetId: target.id, targetName: target.name, provider: target.provider }
          : {}),
        scheduledAt,
        occurredAt: now.toISOString(),
        reason,
        error: { code, class: code, message },
      }),
    ]);
  } catch (recordError) {
    deps.warn?.(`the failed run of policy ${policy.id} could not be recorded`, recordError);
    // Not recorded: the caller must not take the run as handled (the message is retried).
    throw recordError;
  }
  return { kind: "failed", run: { ...run, status: "FAILED", reason }, error: message };
}

export interface RunLauncherDeps extends RunRecorderDeps {
  policies: PolicyRepository;
  targets: TargetRepository;
  backups: BackupRepository;
  leases: LeaseRepository;
  workflows: WorkflowStarter;
  /** The deployment's cap on completion windows (WARDEN_MAX_COMPLETION_WINDOW_HOURS). */
  maxCompletionWindowMinutes?: number;
}

/**
 * The second stage of the schedule: one claimed run, as the launch queue delivers it
 * (functions/handlers/launch-run.ts). The run decides: only a CLAIMED run is launched, so
 * a message delivered twice starts nothing twice; the backup id is the one the claim
 * reserved, so a launch retried after a crash finishes the same backup. A run past its
 * start window is MISSED, one whose resource is busy SKIPPED, one an error stopped FAILED
 * — each recorded and announced in the write that settles it.
 */
export class RunLauncher {
  readonly #d: RunLauncherDeps;

  constructor(deps: RunLauncherDeps) {
    this.#d = deps;
  }

  /**
   * Launches one run. Throws only when what happened could not be recorded (the table
   * failed): the queue delivers the message again.
   */
  async launch(message: LaunchMessage): Promise<RunOutcome> {
    const run = await this.#d.runs.get(message);
    if (run?.status !== "CLAIMED" || run.backupId !== message.backupId) {
      // Settled already (a redelivery), or not a run this message was sent for.
      return { kind: "settled", ...(run ? { run } : {}) };
    }
    const [policy, target] = await Promise.all([
      this.#d.policies.find(run.policyId),
      this.#d.targets.find(run.targetId),
    ]);
    if (!policy || !target || target.retiredAt) {
      // Deleted (or being deleted) between the claim and now: nothing to back up, nothing
      // to announce — the deletion was the operator's own doing.
      const reason = !policy
        ? "the policy was deleted before the run started"
        : "the target was deleted before the run started";
      await this.#d.runs.settle(run, "SKIPPED", reason);
      return { kind: "skipped", run: { ...run, status: "SKIPPED", reason } };
    }
    return this.#launch(policy, target, run, this.#d.clock.now());
  }

  async #launch(policy: Policy, target: Target, run: ScheduleRun, now: Date): Promise<RunOutcome> {
    const { scheduledAt } = run;
    const facts = {
      policyId: policy.id,
      policyName: policy.name,
      targetId: target.id,
      targetName: target.name,
      provider: target.provider,
      scheduledAt,
      occurredAt: now.toISOString(),
    };
    const windowEnd = Date.parse(scheduledAt) + policy.startWindowMinutes * 60_000;
    if (now.getTime() > windowEnd) {
      const startWindowMinutes = policy.startWindowMinutes;
      await this.#d.runs.settle(
        run,
        "MISSED",
        `not started within ${startWindowMinutes} minutes of ${scheduledAt}`,
        [scheduleEvent("schedule.missed", { ...facts, windowMinutes: startWindowMinutes })],
      );
      return { kind: "missed", run: { ...run, status: "MISSED" }, startWindowMinutes };
    }
    // Launched by an earlier delivery whose last write was lost: a record past PENDING has
    // its workflow (re-launching would only re-take the lease of a finished backup).
    const launched = await this.#d.backups.find(run.backupId);
    try {
      if (!launched || launched.status === "PENDING")
        await launchBackup(this.#d, target, {
          backupId: run.backupId,
          trigger: "schedule",
          policyId: policy.id,
          scheduledAt,
          tags: policy.backupTags,
        });
    } catch (error) {
      // The launch failed (and undid itself): the run is FAILED, recorded and announced.
      // An error recording that, or settling below, is thrown: the message comes back.
      if (!(error instanceof LeaseHeldError))
        return recordFailedRun(this.#d, policy, target, error, { scheduledAt, now });
      const holder = String(error.details.holder);
      const reason = `the previous backup ${holder} is still running`;
      await this.#d.runs.settle(run, "SKIPPED", reason, [
        scheduleEvent("schedule.skipped", { ...facts, reason, blockingBackupId: holder }),
      ]);
      return {
        kind: "skipped",
        run: { ...run, status: "SKIPPED", reason },
        runningBackupId: holder,
      };
    }
    await this.#d.runs.settle(run, "STARTED");
    return { kind: "started", run: { ...run, status: "STARTED" } };
  }
}
