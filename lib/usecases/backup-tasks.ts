import * as z from "zod";
import type { BackupError, BackupRecord } from "../core/backup.ts";
import type { Clock } from "../core/clock.ts";
import { ConflictError, InvalidTransitionError } from "../core/errors.ts";
import { ProviderError, providerErrorClassOfName } from "../core/provider-error.ts";
import { resourceKey, type Target } from "../core/target.ts";
import { eventFromBackup } from "../notify/event-builders.ts";
import type { BackupProvider, BackupRef, BackupState } from "../providers/port.ts";
import { BudgetDeferral, BudgetRefusal, inTurn, type Turn } from "../providers/rate-budget.ts";
import type { ProviderFactory } from "../providers/registry.ts";
import type { BackupRepository } from "../store/backups.ts";
import type { ExpiryRepository } from "../store/expiry.ts";
import type { LeaseRepository } from "../store/leases.ts";
import type { TargetRepository } from "../store/targets.ts";
import { medianSeconds, nextPollSeconds, type PollFacts } from "../workflows/poll-plan.ts";
import type { RetentionService } from "./retention.ts";

/** Every task's input names its backup and, from the ASL, the execution running it. */
const base = { backupId: z.string().min(1), execution: z.string().max(80).optional() };

/** What every poll step is given besides its record: the wait that led to it, and what the last step knew of the job's length (0: nothing; absent from older runs). Shared with the restore tasks. */
export const POLL_FIELDS = {
  waitSeconds: z.number().positive(),
  expectedSeconds: z.number().min(0).optional(),
};

/** A Step Functions error as a Catch hands it to the recording step. */
export const StepError = z.object({ Error: z.string(), Cause: z.string().optional() });

/** Inputs of the workflow tasks, as the ASL `Parameters` build them. */
export const TaskInputs = {
  backup: z.object(base),
  /** A backup's start; coming back after a deferral, with the budget slot it reserved. */
  start: z.object({
    ...base,
    turn: z.object({ key: z.string().min(1).max(400), slotMs: z.number().int().min(0) }).optional(),
  }),
  poll: z.object({ ...base, ...POLL_FIELDS }),
  failure: z.object({ ...base, error: StepError }),
  /** A deletion's first step: why the backup is being deleted. */
  deletion: z.object({ ...base, reason: z.string().min(1).max(200) }),
} as const;
export type TaskInput<K extends keyof typeof TaskInputs> = z.infer<(typeof TaskInputs)[K]>;

/**
 * What a create step tells the state machine (its `$.poll`): the outcome, and while the
 * job runs, when to look next and what is known of the job's length (0: nothing).
 */
export type PollOutcome =
  | { outcome: "AVAILABLE" | "FAILED" }
  | { outcome: "RUNNING"; nextWaitSeconds: number; expectedSeconds: number };
/**
 * What the start tells the state machine when the fleet's rate budget deferred it: come back
 * at `retryAt` (a little before the reserved slot) with `turn`, and ask the vendor then.
 */
export type StartOutcome =
  | (PollOutcome & { providerBackupId: string })
  | { outcome: "DEFERRED"; retryAt: string; turn: Turn };
export type DeletionOutcome =
  | { gone: true }
  | { gone: false; nextWaitSeconds: number; expectedSeconds: number };

/** A deletion still not confirmed after this long fails (DELETE_FAILED, retried later). */
export const DELETION_WINDOW_MS = 6 * 60 * 60 * 1000;
/** The lease outlives the completion window a little, so only a crash lets it expire. */
const LEASE_MARGIN_MS = 15 * 60 * 1000;

/** How many of a target's recent good backups its expected duration is the median of. */
const HISTORY_SIZE = 10;

/**
 * Deletions: vendors report no progress, most finish within a minute, and nobody waits on
 * one (the tombstone is written a little later, nothing else): the first look is a minute
 * after the delete, then every step (at least 30 s, a tenth of the time so far). A delete
 * of up to a minute is one look — three state transitions, not six.
 */
export const DELETION_PLAN = { expectedSeconds: 60 } as const;

/** What the poll plan goes by for a backup being created, at `now`. */
function creationFacts(record: BackupRecord, now: Date, expectedSeconds: number): PollFacts {
  const started = Date.parse(record.startedAt ?? record.createdAt);
  return {
    elapsedSeconds: Math.max(0, (now.getTime() - started) / 1000),
    ...(expectedSeconds > 0 ? { expectedSeconds } : {}),
    untilDeadlineSeconds: (Date.parse(record.deadlineAt) - now.getTime()) / 1000,
  };
}

/**
 * Turns a Step Functions error (`{Error, Cause}`) into the record's `lastError`. On AWS
 * the Cause is Lambda's JSON error document; locally it is the message.
 */
export function backupErrorOf(error: { Error: string; Cause?: string }, at: string): BackupError {
  let message = error.Cause ?? error.Error;
  try {
    const parsed = z.object({ errorMessage: z.string() }).safeParse(JSON.parse(message));
    if (parsed.success) message = parsed.data.errorMessage;
  } catch {
    // Not JSON: the Cause is the message itself.
  }
  return {
    code: error.Error,
    class: providerErrorClassOfName(error.Error) ?? error.Error,
    message: message.slice(0, 1000),
    at,
  };
}

/**
 * Everything the tasks need, injected by the composition root — only the methods they
 * call, so a test can give them small fakes (test/usecases/backup-tasks.test.ts) while the
 * workflow suites run them on dynalite.
 */
export interface BackupTaskDeps {
  backups: Pick<
    BackupRepository,
    "get" | "patch" | "transition" | "settle" | "claimVendorBackup" | "vendorClaimOf" | "list"
  >;
  targets: Pick<TargetRepository, "get" | "find">;
  leases: Pick<LeaseRepository, "acquire" | "release">;
  expiry: Pick<ExpiryRepository, "remove">;
  providers: ProviderFactory;
  retention: Pick<RetentionService, "onAvailable">;
  clock: Clock;
  /** Problems worth a log line that must not fail the step (e.g. a re-plan failing). */
  warn?: (message: string, error: unknown) => void;
  /** Told which target, vendor and policy a step is about, once it has read the record (logs). */
  annotate?: (ids: { targetId: string; vendor: string; policyId?: string }) => void;
}

/** Which of several vendor backups carrying our id a create adopts first. */
const ADOPTION_ORDER: Record<BackupState["status"], number> = {
  AVAILABLE: 0,
  RUNNING: 1,
  PENDING: 1,
  FAILED: 2,
  DELETING: 3,
  DELETED: 3,
};

/** Tombstones (DELETED records) are kept this long, then DynamoDB TTL removes them. */
export const TOMBSTONE_TTL_DAYS = 400;

/**
 * The bodies of the workflow tasks. Each is safe to run twice: Step Functions retries
 * and local recovery re-run steps, so every step checks the record first.
 */
export class BackupTasks {
  readonly #deps: BackupTaskDeps;

  constructor(deps: BackupTaskDeps) {
    this.#deps = deps;
  }

  /**
   * The first step of create-backup. Takes the single-flight lease on the target's vendor
   * resource (a held lease fails the backup: one job per resource), then asks the vendor to
   * start the backup and records its ids (PENDING → CREATING). If an earlier attempt may
   * have reached the vendor, a backup it is already creating is adopted instead of starting
   * a second one. Lease and start are one step so a backup costs one state transition less.
   * A start the fleet's rate budget cannot admit now answers DEFERRED with the slot it
   * reserved ahead, and comes back for it with `turn` (the workflow's WaitForTurn).
   */
  async startBackup({ backupId, turn }: TaskInput<"start">): Promise<StartOutcome> {
    const { record, target } = await this.#load(backupId);
    if (record.status !== "PENDING" && record.status !== "CREATING") {
      throw new InvalidTransitionError(backupId, record.status, "CREATING");
    }
    // Re-taking our own lease is harmless (a retried step), and never shortens it. A start
    // back for its turn took it before it was deferred (for the whole completion window),
    // and goes straight to the vendor: its slot's window is a second long.
    if (!turn) {
      const ttl =
        Date.parse(record.deadlineAt) - this.#deps.clock.now().getTime() + LEASE_MARGIN_MS;
      await this.#deps.leases.acquire(
        resourceKey(target),
        backupId,
        Math.max(ttl, LEASE_MARGIN_MS),
      );
    }
    if (record.status === "CREATING" && record.providerBackupId)
      return { providerBackupId: record.providerBackupId, ...(await this.#firstLook(record)) };
    if (record.status !== "PENDING")
      throw new InvalidTransitionError(backupId, record.status, "CREATING");
    const provider = await this.#deps.providers(target);
    // A first ask reserves its turn in the fleet's budget before it writes anything: one
    // that must wait for it is deferred having written only that (and the lease).
    let ownTurn = turn;
    if (!ownTurn && !record.startedAt && provider.reserveTurn) {
      const reserved = await provider.reserveTurn();
      if (reserved && reserved.retryAfterMs > 0) {
        const deferred = this.#deferred(record, reserved.turn, reserved.retryAfterMs);
        if (deferred) return deferred;
      }
      ownTurn = reserved?.turn;
    }
    let asked: { ref: BackupRef; providerStatus: string };
    try {
      asked = await inTurn(ownTurn, () => this.#askVendor(record, target, provider));
    } catch (error) {
      if (!(error instanceof BudgetDeferral)) throw error;
      const deferred = this.#deferred(record, error.turn, error.retryAfterMs ?? 0);
      if (!deferred) throw error;
      return deferred;
    }
    const { ref, providerStatus } = asked;
    const vendorIds = {
      providerBackupId: ref.backupId,
      providerResourceId: ref.resourceId,
      providerJobId: ref.jobId ?? null,
    };
    // Idempotent: a concurrent attempt (a retry racing a slow first try) may have
    // recorded the same vendor backup already; the vendor claim keeps them the same.
    const updated = await this.#deps.backups
      .transition(backupId, "CREATING", { ...vendorIds, providerStatus }, { idempotent: true })
      .catch(async (error: unknown) => {
        // Cancelled while the vendor was asked: the record is FAILED, and what the vendor
        // made is written on it so the failed-attempt clean-up deletes it (never an orphan).
        if (!(error instanceof InvalidTransitionError)) throw error;
        const current = await this.#deps.backups.get(backupId);
        if (current.status !== "FAILED") throw error;
        await this.#deps.backups.patch(backupId, "FAILED", vendorIds);
        throw error;
      });
    return {
      providerBackupId: updated.providerBackupId ?? ref.backupId,
      ...(await this.#firstLook(updated)),
    };
  }

  /**
   * Asks the vendor to start the backup — or, when an earlier attempt may have asked it
   * already (`startedAt`), first looks for what that attempt made and adopts it, whatever
   * its state.
   */
  async #askVendor(
    record: BackupRecord,
    target: Target,
    provider: BackupProvider,
  ): Promise<{ ref: BackupRef; providerStatus: string }> {
    const backupId = record.id;
    if (record.startedAt) {
      const adopted = await this.#adopt(provider, target, backupId, new Date(record.startedAt));
      if (adopted) return { ref: adopted, providerStatus: "ADOPTED" };
    } else {
      await this.#deps.backups.patch(backupId, "PENDING", {
        startedAt: this.#deps.clock.now().toISOString(),
      });
    }
    let ref: BackupRef;
    try {
      ({ ref } = await provider.createBackup({ backupId }));
    } catch (error) {
      // Deferred by the budget before the request was sent: the vendor was never asked,
      // so the start that comes back asks it without looking for an earlier attempt's
      // backup (a look would spend the slot it comes back with, and defer it again).
      if (error instanceof BudgetDeferral)
        await this.#deps.backups.patch(backupId, "PENDING", { startedAt: null });
      throw error;
    }
    if (!(await this.#claim(target, ref, backupId)))
      // Another record already owns what the vendor answered with: never two records of
      // one vendor backup. The step fails and the record says why.
      throw new ConflictError(
        `the vendor answered with backup ${ref.backupId}, which record ${await this.#claimant(target, ref)} already claims`,
      );
    return { ref, providerStatus: "REQUESTED" };
  }

  /**
   * When a deferred start is to come back, as the budget said (a little before the slot it
   * reserved). Undefined when that is past the backup's completion window: the refusal
   * stands, and the step's retries and Catch take it.
   */
  #deferred(record: BackupRecord, turn: Turn, waitMs: number): StartOutcome | undefined {
    if (this.#deps.clock.now().getTime() + waitMs >= Date.parse(record.deadlineAt))
      return undefined;
    // On the wall clock, not the injected one: the Wait state that reads it runs on the
    // wall clock, as the budget's windows do (a test's clock may be hours ahead).
    return {
      outcome: "DEFERRED",
      retryAt: new Date(Date.now() + waitMs).toISOString(),
      turn,
    };
  }

  /** Polls the vendor; settles the record when the backup is AVAILABLE, FAILED or late. */
  async pollBackup(input: TaskInput<"poll">): Promise<PollOutcome> {
    const { backupId, waitSeconds } = input;
    const { record, target } = await this.#load(backupId);
    if (record.status === "AVAILABLE" || record.status === "FAILED") {
      // A re-run after the record was settled: finish what may not have happened then.
      await this.#afterSettled(record, target);
      return { outcome: record.status };
    }
    if (record.status !== "CREATING" || !record.providerBackupId) {
      throw new InvalidTransitionError(backupId, record.status, "AVAILABLE");
    }
    const provider = await this.#deps.providers(target);
    let state: BackupState;
    try {
      state = await provider.getBackupStatus(refOf(record));
    } catch (error) {
      // The fleet's budget has no room for a look now (a backlog of starts holds its
      // slots): nothing was asked, so look again once it may have room, with no retry spent.
      if (!(error instanceof BudgetRefusal)) throw error;
      return {
        outcome: "RUNNING",
        nextWaitSeconds: Math.max(1, Math.ceil((error.retryAfterMs ?? 0) / 1000), waitSeconds),
        expectedSeconds: input.expectedSeconds ?? 0,
      };
    }
    const now = this.#deps.clock.now();
    if (state.status === "AVAILABLE") {
      const { record: available } = await this.#deps.backups.settle(
        backupId,
        "AVAILABLE",
        {
          providerStatus: state.providerStatus,
          sizeBytes: state.sizeBytes ?? null,
          progress: 100,
          completedAt: now.toISOString(),
        },
        {
          events: (next) => [
            eventFromBackup("backup.available", next, { targetName: target.name }),
          ],
        },
      );
      await this.#afterSettled(available, target);
      return { outcome: "AVAILABLE" };
    }
    if (state.status === "FAILED" || state.status === "DELETED") {
      const reason =
        state.failureReason ?? `the vendor reports the backup as ${state.providerStatus}`;
      await this.#fail(record, target, {
        code: "PROVIDER_BACKUP_FAILED",
        class: "FAILED",
        message: reason,
      });
      return { outcome: "FAILED" };
    }
    if (now.getTime() > Date.parse(record.deadlineAt)) {
      await this.#fail(record, target, {
        code: "TIMEOUT",
        class: "TIMEOUT",
        message: `not AVAILABLE within the completion window of ${Math.round((Date.parse(record.deadlineAt) - Date.parse(record.createdAt)) / 60_000)} minutes (vendor status ${state.providerStatus})`,
      });
      return { outcome: "FAILED" };
    }
    await this.#deps.backups.patch(backupId, "CREATING", {
      providerStatus: state.providerStatus,
      ...(state.progress === undefined ? {} : { progress: state.progress }),
    });
    const expectedSeconds = input.expectedSeconds ?? 0;
    return {
      outcome: "RUNNING",
      nextWaitSeconds: nextPollSeconds({
        ...creationFacts(record, now, expectedSeconds),
        ...(state.progress === undefined ? {} : { progress: state.progress }),
        previousWaitSeconds: waitSeconds,
      }),
      expectedSeconds,
    };
  }

  /**
   * The first look after the vendor was asked: when the target's recent good backups say
   * this one should be done (their median duration), or the plan's first step when it has
   * none (lib/workflows/poll-plan.ts).
   */
  async #firstLook(record: BackupRecord): Promise<PollOutcome & { outcome: "RUNNING" }> {
    const recent = await this.#deps.backups.list({
      targetId: record.targetId,
      status: "AVAILABLE",
      limit: HISTORY_SIZE,
    });
    const expectedSeconds = Math.round(
      medianSeconds(
        recent.items.flatMap((b) =>
          b.startedAt && b.completedAt
            ? [(Date.parse(b.completedAt) - Date.parse(b.startedAt)) / 1000]
            : [],
        ),
      ) ?? 0,
    );
    const now = this.#deps.clock.now();
    return {
      outcome: "RUNNING",
      nextWaitSeconds: nextPollSeconds(creationFacts(record, now, expectedSeconds)),
      expectedSeconds,
    };
  }

  /** The Catch path of create-backup: FAILED with the reason, lease released. */
  async recordFailure({ backupId, error }: TaskInput<"failure">): Promise<{ status: string }> {
    const { record, target } = await this.#load(backupId);
    if (record.status === "PENDING" || record.status === "CREATING") {
      await this.#fail(record, target, backupErrorOf(error, this.#deps.clock.now().toISOString()));
      return { status: "FAILED" };
    }
    await this.#afterSettled(record, target);
    return { status: record.status };
  }

  /**
   * The first step of delete-backup: the record to DELETING (from what a deletion starter
   * leaves), then the vendor's delete. A backup the vendor does not know is already gone,
   * and a delete the vendor confirms at once settles the tombstone in the same step — the
   * marking, the call and the tombstone cost one state transition, not three.
   */
  async deleteProviderBackup({
    backupId,
    reason,
  }: TaskInput<"deletion">): Promise<DeletionOutcome> {
    const { record, target } = await this.#load(backupId);
    if (record.status === "DELETED") {
      // A re-run after the tombstone was written: finish what may not have happened then.
      await this.#deps.expiry.remove(backupId);
      return { gone: true };
    }
    if (record.hold) {
      throw new ConflictError(`backup ${backupId} is on hold: ${record.hold.reason}`, {
        hold: record.hold,
      });
    }
    const marked = await this.#deps.backups.transition(
      backupId,
      "DELETING",
      {
        deleteRequestedAt: record.deleteRequestedAt ?? this.#deps.clock.now().toISOString(),
        deleteAttemptAt: this.#deps.clock.now().toISOString(),
        deleteReason: reason,
      },
      {
        // Only what a deletion starter leaves: never an AVAILABLE backup that was held and
        // released meanwhile (retention re-decides it), nor a FAILED one directly. A retried
        // step finds it DELETING already, as the first attempt left it.
        from: ["EXPIRING", "DELETE_FAILED"],
        idempotent: true,
      },
    );
    if (!marked.providerBackupId) return this.#recordDeleted(marked, target);
    const provider = await this.#deps.providers(target);
    const result = await provider.deleteBackup(refOf(marked));
    if (result.status === "DELETED") {
      await this.#deps.backups.patch(backupId, "DELETING", { providerStatus: "DELETED" });
      return this.#recordDeleted(marked, target);
    }
    return {
      gone: false,
      nextWaitSeconds: nextPollSeconds({ elapsedSeconds: 0, ...DELETION_PLAN }),
      expectedSeconds: 0,
    };
  }

  /** Polls an asynchronous deletion until the vendor no longer has the backup. */
  async pollDeletion({ backupId, waitSeconds }: TaskInput<"poll">): Promise<DeletionOutcome> {
    const { record, target } = await this.#load(backupId);
    if (record.status === "DELETED") {
      await this.#deps.expiry.remove(backupId);
      return { gone: true };
    }
    if (record.status !== "DELETING")
      throw new InvalidTransitionError(backupId, record.status, "DELETED");
    if (!record.providerBackupId) return this.#recordDeleted(record, target);
    const provider: BackupProvider = await this.#deps.providers(target);
    const state = await provider.getBackupStatus(refOf(record));
    await this.#deps.backups.patch(backupId, "DELETING", { providerStatus: state.providerStatus });
    if (state.status === "DELETED") return this.#recordDeleted(record, target);
    const requested = Date.parse(
      record.deleteAttemptAt ?? record.deleteRequestedAt ?? record.updatedAt,
    );
    if (this.#deps.clock.now().getTime() - requested > DELETION_WINDOW_MS) {
      throw new ProviderError({
        cls: "UNKNOWN",
        provider: target.provider,
        message: `the vendor still reports the backup as ${state.providerStatus} ${DELETION_WINDOW_MS / 3_600_000} h after the delete`,
      });
    }
    return {
      gone: false,
      nextWaitSeconds: nextPollSeconds({
        elapsedSeconds: (this.#deps.clock.now().getTime() - requested) / 1000,
        previousWaitSeconds: waitSeconds,
        ...DELETION_PLAN,
      }),
      expectedSeconds: 0,
    };
  }

  /** DELETING → DELETED: the record stays as a tombstone, and its expiry marker goes. */
  async #recordDeleted(record: BackupRecord, target: Target): Promise<{ gone: true }> {
    const now = this.#deps.clock.now();
    const backupId = record.id;
    await this.#deps.backups.settle(
      backupId,
      "DELETED",
      { deletedAt: now.toISOString() },
      {
        ttlSeconds: Math.ceil(now.getTime() / 1000) + TOMBSTONE_TTL_DAYS * 86_400,
        cause: "the vendor no longer has the backup",
        from: ["DELETING"],
        events: (next) => [eventFromBackup("backup.deleted", next, { targetName: target.name })],
      },
    );
    await this.#deps.expiry.remove(backupId);
    return { gone: true };
  }

  /** The Catch path of delete-backup: DELETE_FAILED with the reason. */
  async recordDeleteFailure({ backupId, error }: TaskInput<"failure">): Promise<void> {
    const record = await this.#record(backupId);
    if (record.status !== "DELETING") return;
    const targetName = await this.#targetName(record);
    await this.#deps.backups.settle(
      backupId,
      "DELETE_FAILED",
      { lastError: backupErrorOf(error, this.#deps.clock.now().toISOString()) },
      { events: (next) => [eventFromBackup("backup.delete_failed", next, { targetName })] },
    );
  }

  /**
   * What follows a settled create, safe to repeat: release the lease and, for an
   * AVAILABLE backup, write its expiry marker and re-plan its policy. A retried step
   * re-runs it, so a crash right after settling loses neither (a failure is retried).
   */
  async #afterSettled(record: BackupRecord, target: Target): Promise<void> {
    await this.#deps.leases.release(resourceKey(target), record.id);
    if (record.status === "AVAILABLE") await this.#deps.retention.onAvailable(record);
  }

  /**
   * The vendor backup an earlier attempt of `backupId` made, claimed for it. Where the
   * vendor labels backups, only one carrying our id, whether still running, finished or
   * failed. Zilliz keeps no label: the candidates are the cluster's manual backups of the
   * target's kind started since the first attempt (the list's documented `startTime`
   * filter) that no record claims, oldest first — a lease keeps our own attempts on one
   * cluster apart, so the first one is ours unless someone made one by hand in that
   * window; what adoption misses, the reconciler finds (docs/providers.md §6.5).
   */
  async #adopt(
    provider: BackupProvider,
    target: Target,
    backupId: string,
    since: Date,
  ): Promise<BackupRef | undefined> {
    const listed = await provider.listBackups({ since });
    const candidates = provider.labelsBackups
      ? // Several attempts may have left one each: the finished one first, a failed one last.
        listed
          .filter((b) => b.ownerId === backupId)
          .sort((a, b) => ADOPTION_ORDER[a.state.status] - ADOPTION_ORDER[b.state.status])
      : listed
          .filter((b) => !b.automatic && b.sameKind && b.ownerId === undefined)
          .sort((a, b) => Date.parse(a.createdAt ?? "") - Date.parse(b.createdAt ?? ""));
    for (const candidate of candidates) {
      if (await this.#claim(target, candidate.ref, backupId)) return candidate.ref;
    }
    return undefined;
  }

  async #claimant(target: Target, ref: BackupRef): Promise<string> {
    return (
      (await this.#deps.backups.vendorClaimOf(target.provider, ref.resourceId, ref.backupId)) ??
      "another"
    );
  }

  #claim(target: Target, ref: BackupRef, backupId: string): Promise<boolean> {
    return this.#deps.backups.claimVendorBackup(
      target.provider,
      ref.resourceId,
      ref.backupId,
      backupId,
    );
  }

  async #fail(
    record: BackupRecord,
    target: Target,
    lastError: Omit<BackupError, "at"> & { at?: string },
  ) {
    await this.#deps.backups.settle(
      record.id,
      "FAILED",
      {
        lastError: { ...lastError, at: lastError.at ?? this.#deps.clock.now().toISOString() },
        completedAt: this.#deps.clock.now().toISOString(),
      },
      { events: (next) => [eventFromBackup("backup.failed", next, { targetName: target.name })] },
    );
    await this.#deps.leases.release(resourceKey(target), record.id);
  }

  async #targetName(record: BackupRecord): Promise<string | undefined> {
    return (await this.#deps.targets.find(record.targetId))?.name;
  }

  async #load(backupId: string): Promise<{ record: BackupRecord; target: Target }> {
    const record = await this.#record(backupId);
    const target = await this.#deps.targets.get(record.targetId);
    return { record, target };
  }

  /** Reads the record, and tells the logs which target, vendor and policy it is about. */
  async #record(backupId: string): Promise<BackupRecord> {
    const record = await this.#deps.backups.get(backupId);
    this.#deps.annotate?.({
      targetId: record.targetId,
      vendor: record.provider,
      ...(record.policyId ? { policyId: record.policyId } : {}),
    });
    return record;
  }
}

/** The vendor reference stored on a record. */
export function refOf(record: BackupRecord): BackupRef {
  if (!record.providerBackupId || !record.providerResourceId) {
    throw new InvalidTransitionError(record.id, record.status, "(vendor call)");
  }
  return {
    backupId: record.providerBackupId,
    resourceId: record.providerResourceId,
    ...(record.providerJobId ? { jobId: record.providerJobId } : {}),
  };
}
