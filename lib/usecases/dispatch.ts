import type { Clock } from "../core/clock.ts";
import { LeaseHeldError, WardenError } from "../core/errors.ts";
import { newId } from "../core/ids.ts";
import type { Policy } from "../core/policy.ts";
import type { Target } from "../core/target.ts";
import { scheduleEvent } from "../notify/event-builders.ts";
import type { BackupRepository } from "../store/backups.ts";
import type { LeaseRepository } from "../store/leases.ts";
import type { PolicyRepository } from "../store/policies.ts";
import type { RunRepository, ScheduleRun } from "../store/runs.ts";
import type { TargetRepository } from "../store/targets.ts";
import type { WorkflowStarter } from "../workflows/starter.ts";
import { launchBackup } from "./launch.ts";
import type { NextRun } from "./policies.ts";
import { targetsOf } from "./policy-targets.ts";

/** A run still CLAIMED this long after its claim was abandoned by a crashed tick. */
export const REDRIVE_AFTER_MS = 2 * 60 * 1000;

/** What a schedule run turned into, for events and logs. */
export type RunOutcome =
  | { kind: "failed"; run: ScheduleRun; error: string }
  | { kind: "started"; run: ScheduleRun }
  | { kind: "skipped"; run: ScheduleRun; runningBackupId: string }
  | { kind: "missed"; run: ScheduleRun; startWindowMinutes: number };

export interface DispatcherDeps {
  policies: PolicyRepository;
  targets: TargetRepository;
  backups: BackupRepository;
  leases: LeaseRepository;
  runs: RunRepository;
  workflows: WorkflowStarter;
  clock: Clock;
  nextRun: NextRun;
  /** The deployment's cap on completion windows (WARDEN_MAX_COMPLETION_WINDOW_HOURS). */
  maxCompletionWindowMinutes?: number;
  /** Told about a failure the tick recorded and went on from (logs). */
  warn?: (message: string, error: unknown) => void;
}

/**
 * The scheduler's tick. For every due policy (a Query on the due index) and every target
 * it covers, the (policy, target, scheduled time) run is claimed with a conditional put
 * before anything starts, so a duplicated or retried tick starts nothing twice; a run
 * claimed by a tick that crashed is finished with the same backup id. Then the policy's
 * next run is advanced with a conditional write.
 */
export class Dispatcher {
  readonly #d: DispatcherDeps;

  constructor(deps: DispatcherDeps) {
    this.#d = deps;
  }

  /** Dispatches everything due at `now`; returns the outcomes. */
  async tick(now: Date = this.#d.clock.now()): Promise<RunOutcome[]> {
    const outcomes: RunOutcome[] = [];
    for (const policy of await this.#d.policies.due(now)) {
      // One policy that breaks (its selector cannot be read, a bug) must not cost every
      // other policy its tick: recorded, announced once, and the tick goes on.
      try {
        outcomes.push(...(await this.#dispatch(policy, now)));
      } catch (error) {
        outcomes.push(await this.#failed(policy, undefined, error, now));
      }
    }
    return outcomes;
  }

  /**
   * Records a run an error stopped (FAILED, the reason kept) and announces it once, in the
   * same write (`schedule.failed`; its event id is the run's, so a later tick failing the
   * same way announces nothing new). `target` undefined: the policy itself failed.
   */
  async #failed(
    policy: Policy,
    target: Target | undefined,
    error: unknown,
    now: Date,
  ): Promise<RunOutcome> {
    const scheduledAt = policy.nextRunAt ?? now.toISOString();
    const code = error instanceof Error ? error.name : "Error";
    // Our errors are worded to be shown; anyone else's may quote what it should not.
    const message = error instanceof WardenError ? error.message : `an unexpected ${code}`;
    this.#d.warn?.(
      `dispatch of policy ${policy.id}${target ? ` for ${target.id}` : ""} failed`,
      error,
    );
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
      ({ run } = await this.#d.runs.claim(run));
      await this.#d.runs.settle(run, "FAILED", reason, [
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
      this.#d.warn?.(`the failed run of policy ${policy.id} could not be recorded`, recordError);
    }
    return { kind: "failed", run: { ...run, status: "FAILED", reason }, error: message };
  }

  /** The event announcing a run that did not start: `schedule.skipped` or `schedule.missed`. */
  #announcement(
    policy: Policy,
    target: Target,
    scheduledAt: string,
    outcome:
      | { kind: "skipped"; runningBackupId: string }
      | { kind: "missed"; startWindowMinutes: number },
  ) {
    const facts = {
      policyId: policy.id,
      policyName: policy.name,
      targetId: target.id,
      targetName: target.name,
      provider: target.provider,
      scheduledAt,
      occurredAt: this.#d.clock.now().toISOString(),
    };
    return outcome.kind === "skipped"
      ? scheduleEvent("schedule.skipped", {
          ...facts,
          reason: `the previous backup ${outcome.runningBackupId} is still running`,
          blockingBackupId: outcome.runningBackupId,
        })
      : scheduleEvent("schedule.missed", {
          ...facts,
          windowMinutes: outcome.startWindowMinutes,
        });
  }

  async #dispatch(policy: Policy, now: Date): Promise<RunOutcome[]> {
    const scheduledAt = policy.nextRunAt;
    if (!scheduledAt) return [];
    const outcomes: RunOutcome[] = [];
    for (const target of await targetsOf(policy, this.#d.targets)) {
      try {
        const outcome = await this.#run(policy, target, scheduledAt, now);
        if (outcome) outcomes.push(outcome);
      } catch (error) {
        outcomes.push(await this.#failed(policy, target, error, now));
      }
    }
    // Several occurrences may have passed while nothing ticked: jump to the next future one.
    const after = new Date(Math.max(now.getTime(), Date.parse(scheduledAt)));
    const next = this.#d.nextRun(policy.schedule, after, new Date(policy.createdAt)).toISOString();
    await this.#d.policies.advance(policy.id, scheduledAt, next);
    return outcomes;
  }

  async #run(
    policy: Policy,
    target: Target,
    scheduledAt: string,
    now: Date,
  ): Promise<RunOutcome | undefined> {
    const { run, claimed } = await this.#d.runs.claim({
      policyId: policy.id,
      targetId: target.id,
      scheduledAt,
      backupId: newId("backup", now.getTime()),
      at: now.toISOString(),
    });
    // Claimed by another tick: leave it to that tick, unless that tick evidently died
    // (still CLAIMED long after) — then finish it with the same backup id.
    if (
      !claimed &&
      (run.status !== "CLAIMED" || now.getTime() - Date.parse(run.at) < REDRIVE_AFTER_MS)
    ) {
      return undefined;
    }
    const windowEnd = Date.parse(scheduledAt) + policy.startWindowMinutes * 60_000;
    if (now.getTime() > windowEnd) {
      const startWindowMinutes = policy.startWindowMinutes;
      await this.#d.runs.settle(
        run,
        "MISSED",
        `not started within ${startWindowMinutes} minutes of ${scheduledAt}`,
        [this.#announcement(policy, target, scheduledAt, { kind: "missed", startWindowMinutes })],
      );
      return {
        kind: "missed",
        run: { ...run, status: "MISSED" },
        startWindowMinutes: policy.startWindowMinutes,
      };
    }
    try {
      await launchBackup(this.#d, target, {
        backupId: run.backupId,
        trigger: "schedule",
        policyId: policy.id,
        scheduledAt,
        tags: policy.backupTags,
      });
    } catch (error) {
      if (!(error instanceof LeaseHeldError)) throw error;
      const holder = String(error.details.holder);
      await this.#d.runs.settle(run, "SKIPPED", `the previous backup ${holder} is still running`, [
        this.#announcement(policy, target, scheduledAt, {
          kind: "skipped",
          runningBackupId: holder,
        }),
      ]);
      return { kind: "skipped", run: { ...run, status: "SKIPPED" }, runningBackupId: holder };
    }
    await this.#d.runs.settle(run, "STARTED");
    return { kind: "started", run: { ...run, status: "STARTED" } };
  }
}
