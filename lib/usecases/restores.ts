import * as z from "zod";
import type { BackupRecord } from "../core/backup.ts";
import type { Clock } from "../core/clock.ts";
import {
  ConflictError,
  ErrorCode,
  InvalidTransitionError,
  ValidationError,
  WardenError,
} from "../core/errors.ts";
import { newId } from "../core/ids.ts";
import { ProviderError } from "../core/provider-error.ts";
import {
  destinationSchema,
  type RestoreDestination,
  type RestoreOverwrite,
  type RestoreRecord,
  type RestoreStatus,
  SETTLED_RESTORE,
} from "../core/restore.ts";
import { resourceKey, type Target } from "../core/target.ts";
import { eventFromRestore } from "../notify/event-builders.ts";
import type { RestoreRef, RestoreState, VendorRestores } from "../providers/port.ts";
import type { ProviderFactory } from "../providers/registry.ts";
import type { BackupRepository } from "../store/backups.ts";
import type { IdempotencyRepository } from "../store/idempotency.ts";
import type { LeaseRepository } from "../store/leases.ts";
import type { Page } from "../store/page.ts";
import type { RestoreRepository } from "../store/restores.ts";
import type { TargetRepository } from "../store/targets.ts";
import { nextPollSeconds } from "../workflows/poll-plan.ts";
import { executionName, type WorkflowStarter } from "../workflows/starter.ts";
import { backupErrorOf, POLL_FIELDS, StepError } from "./backup-tasks.ts";
import { idempotently } from "./idempotent.ts";

/** How long a preview's confirmation token may be used (issue "6 of 7": ten minutes). */
export const RESTORE_TOKEN_TTL_MS = 10 * 60 * 1000;

/** The body of `POST /v1/backups/{id}/restores`. */
export const RestoreRequestInput = z
  .object({
    /** Where to restore to; its shape depends on the vendor (lib/core/restore.ts). */
    destination: z.record(z.string(), z.unknown()),
    /** From a preview (`?dryRun=true`): required when the restore overwrites. */
    confirmationToken: z.string().min(1).max(200).optional(),
  })
  .strict();
export type RestoreRequestInput = z.infer<typeof RestoreRequestInput>;

/** What a preview answers. */
export interface RestorePreview {
  backupId: string;
  targetId: string;
  provider: string;
  destination: RestoreDestination;
  /** `new`: the restore creates the resource; `existing`: it writes over one. */
  restoresInto: "new" | "existing";
  overwrites?: RestoreOverwrite;
  /** Present when the restore overwrites: the real request must carry it. */
  confirmationToken?: string;
  expiresAt?: string;
}

/**
 * Asks the vendor what a restore would do (lib/providers/port.ts `VendorRestores.preview`).
 * The API holds no vendor credentials: on AWS this runs in the preview-restore function.
 */
export interface RestorePreviewer {
  preview(
    target: Target,
    backup: BackupRecord,
    destination: RestoreDestination,
  ): Promise<{ overwrites?: RestoreOverwrite }>;
}

/** The previewer with credentials (the preview-restore function's body). */
export class VendorRestorePreviewer implements RestorePreviewer {
  readonly #providers: ProviderFactory;

  constructor(providers: ProviderFactory) {
    this.#providers = providers;
  }

  async preview(target: Target, backup: BackupRecord, destination: RestoreDestination) {
    const restores = await restoresOf(this.#providers, target);
    return restores.preview(backupRef(backup), destination);
  }
}

export interface RestoreServiceDeps {
  backups: BackupRepository;
  targets: TargetRepository;
  restores: RestoreRepository;
  idempotency: IdempotencyRepository;
  leases: LeaseRepository;
  workflows: WorkflowStarter;
  previewer: RestorePreviewer;
  clock: Clock;
}

/**
 * Restores requested through the API. A restore into a new resource needs nothing more
 * than its destination; one that writes over an existing resource needs a preview first
 * (`dryRun`), which says what will be overwritten and returns a confirmation token bound to
 * that backup, destination and caller for ten minutes, used once.
 */
export class RestoreService {
  readonly #d: RestoreServiceDeps;

  constructor(deps: RestoreServiceDeps) {
    this.#d = deps;
  }

  /** What restoring `backupId` to `destination` would do, asking the vendor; changes nothing but a token. */
  async preview(
    backupId: string,
    input: RestoreRequestInput,
    caller: string,
  ): Promise<RestorePreview> {
    const { backup, target, destination } = await this.#restorable(backupId, input);
    const { overwrites } = await this.#vendorPreview(target, backup, destination);
    const base = {
      backupId,
      targetId: target.id,
      provider: target.provider,
      destination,
      restoresInto: overwrites ? ("existing" as const) : ("new" as const),
    };
    if (!overwrites) return base;
    const expiresAt = new Date(this.#d.clock.now().getTime() + RESTORE_TOKEN_TTL_MS).toISOString();
    const confirmationToken = await this.#d.restores.issueToken({
      backupId,
      destination: canonical(destination),
      caller,
      expiresAt,
      overwrites,
    });
    return { ...base, overwrites, confirmationToken, expiresAt };
  }

  /**
   * Starts a restore: the backup is marked as read by it (so nothing deletes it meanwhile),
   * the PENDING record is written (`restore.requested`), then the restore-backup workflow
   * is started. With an Idempotency-Key, a repeat returns the same restore.
   */
  async request(
    backupId: string,
    input: RestoreRequestInput,
    caller: string,
    idempotencyKey?: string,
  ): Promise<{ record: RestoreRecord; created: boolean }> {
    const { backup, target, destination } = await this.#restorable(backupId, input);
    const restoreId = newId("restore", this.#d.clock.now().getTime());
    const { result, created } = await idempotently(
      this.#d.idempotency,
      {
        scope: `restore-backup#${backupId}`,
        key: idempotencyKey,
        body: input,
        resultId: restoreId,
        now: this.#d.clock.now(),
      },
      async () => {
        const overwrites = await this.#confirmed(target, backup, destination, input, caller);
        return this.#launch(restoreId, backup, target, destination, overwrites, caller);
      },
      (id) => this.#d.restores.find(id),
    );
    return { record: result, created };
  }

  async get(restoreId: string): Promise<RestoreRecord> {
    return this.#d.restores.get(restoreId);
  }

  async list(query: {
    backupId?: string;
    status?: RestoreStatus;
    limit?: number;
    cursor?: string;
  }): Promise<Page<RestoreRecord>> {
    return this.#d.restores.list(query);
  }

  /** The backup, its target and the destination, checked: else a 4xx that changes nothing. */
  async #restorable(backupId: string, input: RestoreRequestInput) {
    const backup = await this.#d.backups.get(backupId);
    if (backup.status !== "AVAILABLE")
      throw new ConflictError(
        `backup ${backupId} is ${backup.status}; only an AVAILABLE backup can be restored`,
        { backupStatus: backup.status },
      );
    if (backup.restoringBy)
      throw new ConflictError(
        `backup ${backupId} is already being restored (${backup.restoringBy.restoreId}); one restore of a backup at a time`,
        { restoreId: backup.restoringBy.restoreId },
      );
    const target = await this.#d.targets.get(backup.targetId);
    const parsed = destinationSchema(target).safeParse(input.destination);
    if (!parsed.success)
      throw new ValidationError(
        `invalid destination for a ${target.provider} restore`,
        parsed.error.issues.map((i) => ({
          path: ["destination", ...i.path].join("."),
          message: i.message,
        })),
        422,
      );
    return { backup, target, destination: parsed.data as RestoreDestination };
  }

  /** The vendor's preview; a destination it cannot use is the caller's mistake (4xx). */
  async #vendorPreview(target: Target, backup: BackupRecord, destination: RestoreDestination) {
    try {
      return await this.#d.previewer.preview(target, backup, destination);
    } catch (error) {
      throw callersMistake(error) ?? error;
    }
  }

  /** What the restore overwrites, confirmed by a token when it overwrites anything. */
  async #confirmed(
    target: Target,
    backup: BackupRecord,
    destination: RestoreDestination,
    input: RestoreRequestInput,
    caller: string,
  ): Promise<RestoreOverwrite | undefined> {
    if (input.confirmationToken) {
      const grant = await this.#d.restores.redeemToken(input.confirmationToken, {
        backupId: backup.id,
        destination: canonical(destination),
        caller,
      });
      if (!grant)
        throw new ValidationError(
          "the confirmation token is not valid for this backup, destination and caller (it may have expired or been used): preview the restore again with ?dryRun=true",
          [{ path: "confirmationToken", message: "not valid here" }],
          422,
        );
      return grant.overwrites;
    }
    const { overwrites } = await this.#vendorPreview(target, backup, destination);
    if (overwrites)
      throw new WardenError(
        ErrorCode.PRECONDITION_FAILED,
        428,
        `this restore overwrites ${overwrites.summary}. Preview it with ?dryRun=true and send the confirmationToken it returns.`,
        { details: { overwrites }, name: "ConfirmationRequired" },
      );
    return undefined;
  }

  #launch(
    restoreId: string,
    backup: BackupRecord,
    target: Target,
    destination: RestoreDestination,
    overwrites: RestoreOverwrite | undefined,
    caller: string,
  ): Promise<RestoreRecord> {
    return launchRestore(this.#d, {
      restoreId,
      backup,
      target,
      destination,
      ...(overwrites ? { overwrites } : {}),
      caller,
    });
  }
}

/**
 * Launches one restore: the backup is marked as read by it (so nothing deletes it), the
 * PENDING record is written with its first event, then the restore-backup workflow is
 * started. A failure undoes what it can: the mark is lifted, or the record is settled
 * RESTORE_FAILED — nothing is left half-done. Used by the API and by drills.
 */
export async function launchRestore(
  d: Pick<RestoreServiceDeps, "backups" | "restores" | "leases" | "workflows" | "clock">,
  request: {
    restoreId: string;
    backup: BackupRecord;
    target: Target;
    destination: RestoreDestination;
    overwrites?: RestoreOverwrite;
    caller: string;
    drill?: NonNullable<RestoreRecord["drill"]>;
    /** Default: the target's completion window. */
    deadlineMinutes?: number;
  },
): Promise<RestoreRecord> {
  const { restoreId, backup, target, destination, overwrites, caller, drill } = request;
  const now = d.clock.now();
  await d.backups.markRestoring(backup.id, restoreId);
  let record: RestoreRecord;
  try {
    record = await d.restores.create(
      {
        id: restoreId,
        backupId: backup.id,
        targetId: target.id,
        provider: target.provider,
        status: "PENDING",
        destination,
        ...(overwrites ? { overwrites } : {}),
        ...(drill ? { drill, drillId: restoreId } : {}),
        requestedBy: caller.slice(0, 300),
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
        deadlineAt: new Date(
          now.getTime() + (request.deadlineMinutes ?? target.completionWindowMinutes) * 60_000,
        ).toISOString(),
        history: [{ at: now.toISOString(), status: "PENDING", cause: `requested by ${caller}` }],
        version: 0,
      },
      (created) => [eventFromRestore("restore.requested", created, { targetName: target.name })],
    );
  } catch (error) {
    await d.backups.unmarkRestoring(backup.id, restoreId);
    throw error;
  }
  try {
    await d.workflows.start("restore-backup", executionName("restore-backup", restoreId), {
      restoreId,
    });
  } catch (error) {
    await settleFailed(d, record, target, {
      code: "WORKFLOW_START_FAILED",
      class: "INTERNAL",
      message: "the restore-backup workflow could not be started",
    });
    throw error;
  }
  return record;
}

/** A destination's canonical text (keys sorted): what a token is bound to. */
export function canonical(destination: RestoreDestination): string {
  return JSON.stringify(
    Object.fromEntries(Object.entries(destination).sort(([a], [b]) => (a < b ? -1 : 1))),
  );
}

/** A vendor's refusal of the caller's destination, as the 4xx it is. */
function callersMistake(error: unknown): WardenError | undefined {
  if (!(error instanceof ProviderError)) return undefined;
  if (error.cls === "INVALID" || error.cls === "NOT_FOUND")
    return new ValidationError(
      `the vendor refused the destination: ${error.message}`,
      [{ path: "destination", message: error.message.slice(0, 300) }],
      422,
    );
  if (error.cls === "CONFLICT")
    return new ConflictError(`the vendor cannot restore there now: ${error.message}`);
  return undefined;
}

function backupRef(backup: BackupRecord) {
  if (!backup.providerBackupId || !backup.providerResourceId)
    throw new ConflictError(`backup ${backup.id} has no vendor backup to restore`);
  return { backupId: backup.providerBackupId, resourceId: backup.providerResourceId };
}

async function restoresOf(providers: ProviderFactory, target: Target): Promise<VendorRestores> {
  const provider = await providers(target);
  if (!provider.restores)
    throw new ValidationError(
      `${target.provider} backups cannot be restored by backup-warden yet`,
      [],
      422,
    );
  return provider.restores;
}

/** What a restore step tells the state machine (its `$.poll`). */
export type RestorePoll =
  | { outcome: "RESTORED" | "RESTORE_FAILED" }
  | { outcome: "RUNNING"; nextWaitSeconds: number; expectedSeconds: number };

const base = { restoreId: z.string().min(1), execution: z.string().max(80).optional() };

/** Inputs of the restore-backup tasks, as the ASL `Parameters` build them. */
export const RestoreTaskInputs = {
  restore: z.object(base),
  poll: z.object({ ...base, ...POLL_FIELDS }),
  failure: z.object({ ...base, error: StepError }),
} as const;
export type RestoreTaskInput<K extends keyof typeof RestoreTaskInputs> = z.infer<
  (typeof RestoreTaskInputs)[K]
>;

export interface RestoreTaskDeps {
  restores: RestoreRepository;
  backups: Pick<BackupRepository, "get" | "patch" | "unmarkRestoring">;
  targets: Pick<TargetRepository, "get">;
  leases: Pick<LeaseRepository, "acquire" | "release">;
  providers: ProviderFactory;
  clock: Clock;
}

/** The lease outlives the completion window a little, so only a crash lets it expire. */
const LEASE_MARGIN_MS = 15 * 60 * 1000;

/**
 * The restore-backup workflow's task bodies. Each is safe to run twice (Step Functions
 * retries, the sweeper resumes): every step reads the record first.
 */
export class RestoreTasks {
  readonly #d: RestoreTaskDeps;

  constructor(deps: RestoreTaskDeps) {
    this.#d = deps;
  }

  /**
   * Takes the lease on the destination (one job on a resource at a time: a restore over an
   * instance excludes its backups), then asks the vendor to restore (PENDING → RESTORING).
   * An earlier attempt that may have reached the vendor is looked for first, and adopted.
   */
  async startRestore({ restoreId }: RestoreTaskInput<"restore">): Promise<RestorePoll> {
    const { record, target, backup } = await this.#load(restoreId);
    if (SETTLED_RESTORE.has(record.status))
      // A drill whose teardown was interrupted (the sweeper started this execution again):
      // straight to the poll, which tears down.
      return record.drill?.teardown === "PENDING"
        ? { outcome: "RUNNING", nextWaitSeconds: 1, expectedSeconds: 0 }
        : { outcome: record.status as "RESTORED" };
    const ttl = Date.parse(record.deadlineAt) - this.#d.clock.now().getTime() + LEASE_MARGIN_MS;
    await this.#d.leases.acquire(
      destinationKey(target, record),
      restoreId,
      Math.max(ttl, LEASE_MARGIN_MS),
    );
    if (record.status === "RESTORING") return this.#firstLook(record, backup);
    const restores = await restoresOf(this.#d.providers, target);
    let ref: RestoreRef | undefined;
    if (record.startedAt) ref = await restores.find(restoreId, record.destination);
    else
      await this.#d.restores.update(
        restoreId,
        { startedAt: this.#d.clock.now().toISOString() },
        {
          in: ["PENDING"],
        },
      );
    let state: RestoreState = { status: "RUNNING", providerStatus: "ADOPTED" };
    if (!ref)
      ({ ref, state } = await restores.start({
        restoreId,
        backup: backupRef(backup),
        destination: record.destination,
      }));
    const { record: restoring } = await this.#d.restores.update(
      restoreId,
      {
        providerJobId: ref.jobId,
        providerResourceId: ref.resourceId,
        createdResource: ref.created,
        providerStatus: state.providerStatus,
      },
      { to: "RESTORING", cause: `the vendor accepted the restore (job ${ref.jobId})` },
    );
    return this.#firstLook(restoring, backup);
  }

  /** Polls the vendor's job; settles the record when it is done, failed or late. */
  async pollRestore(input: RestoreTaskInput<"poll">): Promise<RestorePoll> {
    const { record, target, backup } = await this.#load(input.restoreId);
    if (SETTLED_RESTORE.has(record.status)) {
      // A drill is over only once what it created is gone.
      if (record.drill?.teardown === "PENDING") return this.#tearDown(record, target);
      await this.#afterSettled(record, target);
      return { outcome: record.status as "RESTORED" | "RESTORE_FAILED" };
    }
    // A job id may be empty: a restore found again by its resource, whose job the vendor
    // cannot list (Zilliz), is followed by the resource's own status.
    if (
      record.status !== "RESTORING" ||
      record.providerJobId === undefined ||
      !record.providerResourceId
    )
      throw new InvalidTransitionError(record.id, record.status, "RESTORED");
    const restores = await restoresOf(this.#d.providers, target);
    const ref = {
      jobId: record.providerJobId,
      resourceId: record.providerResourceId,
      created: record.createdResource ?? false,
    };
    const state = await restores.status(ref);
    const now = this.#d.clock.now();
    const failed = async (error: { code: string; class: string; message: string }) => {
      const settled = await settleFailed(this.#d, record, target, error);
      if (!settled.drill) return { outcome: "RESTORE_FAILED" as const };
      // A drill that failed is a backup not proven restorable: the backup says so.
      await this.#recordCheck(backup, record, false, error.message);
      return this.#tearDown(settled, target);
    };
    if (state.status === "RESTORED") {
      if (record.drill) return this.#checkDrill(record, target, backup, restores, ref, state);
      // The vendor is done with the backup: it is free again before the record says
      // RESTORED, so whoever reads RESTORED may delete it at once (a crash in between
      // leaves a RESTORING record the next look settles).
      await this.#afterSettled(record, target);
      await this.#d.restores.update(
        record.id,
        { providerStatus: state.providerStatus, progress: 100, completedAt: now.toISOString() },
        {
          to: "RESTORED",
          cause: `the vendor reports the restore complete (${state.providerStatus})`,
          events: (next) => [
            eventFromRestore("restore.restored", next, { targetName: target.name }),
          ],
        },
      );
      return { outcome: "RESTORED" };
    }
    if (state.status === "FAILED")
      return failed({
        code: "PROVIDER_RESTORE_FAILED",
        class: "FAILED",
        message: state.failureReason ?? `the vendor reports the restore as ${state.providerStatus}`,
      });
    if (now.getTime() > Date.parse(record.deadlineAt))
      return failed({
        code: "TIMEOUT",
        class: "TIMEOUT",
        message: `not RESTORED within ${Math.round((Date.parse(record.deadlineAt) - Date.parse(record.createdAt)) / 60_000)} minutes (vendor status ${state.providerStatus})`,
      });
    const used = resourceHours(record, now);
    if (record.drill && used > record.drill.maxResourceHours)
      return failed({
        code: "COST_CEILING",
        class: "COST_CEILING",
        message: `the drill's scratch resource reached ${used.toFixed(2)} resource-hours, past its ceiling of ${record.drill.maxResourceHours}`,
      });
    await this.#d.restores.update(
      record.id,
      {
        providerStatus: state.providerStatus,
        ...(state.progress === undefined ? {} : { progress: state.progress }),
      },
      { in: ["RESTORING"] },
    );
    const expectedSeconds = input.expectedSeconds ?? 0;
    return {
      outcome: "RUNNING",
      nextWaitSeconds: nextPollSeconds({
        ...facts(record, now, expectedSeconds),
        ...(state.progress === undefined ? {} : { progress: state.progress }),
        previousWaitSeconds: input.waitSeconds,
      }),
      expectedSeconds,
    };
  }

  /**
   * A drill's check, once the vendor reports its restore complete: the restored resource
   * exists and is healthy (its size or count beside the backup's, where reported). The
   * backup records the result (`verification`, and `verifiedAt` when it passed); the
   * restore settles RESTORED or RESTORE_FAILED (announced); then the teardown begins.
   */
  async #checkDrill(
    record: RestoreRecord,
    target: Target,
    backup: BackupRecord,
    restores: VendorRestores,
    ref: RestoreRef,
    state: RestoreState,
  ): Promise<RestorePoll> {
    const now = this.#d.clock.now().toISOString();
    const found = await restores.describe(ref);
    const size = [
      found.sizeBytes === undefined ? undefined : `${found.sizeBytes} bytes`,
      found.recordCount === undefined ? undefined : `${found.recordCount} records`,
    ]
      .filter(Boolean)
      .join(", ");
    const passed = found.exists && found.healthy;
    const detail = passed
      ? `restored into ${ref.resourceId}: ${found.providerStatus}${size ? ` (${size}` : ""}${size && backup.sizeBytes !== undefined ? `; the backup ${backup.sizeBytes} bytes)` : size ? ")" : ""}`
      : `restored into ${ref.resourceId}, but it is ${found.exists ? `not healthy (${found.providerStatus})` : "not there"}`;
    await this.#recordCheck(backup, record, passed, detail);
    await this.#d.leases.release(destinationKey(target, record), record.id);
    await this.#d.backups.unmarkRestoring(record.backupId, record.id);
    const drill = { ...record.drill!, checked: detail };
    const { record: settled } = passed
      ? await this.#d.restores.update(
          record.id,
          { providerStatus: state.providerStatus, progress: 100, completedAt: now, drill },
          {
            to: "RESTORED",
            cause: `drill check passed: ${detail}`.slice(0, 300),
            events: (next) => [
              eventFromRestore("restore.restored", next, { targetName: target.name }),
            ],
          },
        )
      : await this.#d.restores.update(
          record.id,
          {
            providerStatus: state.providerStatus,
            completedAt: now,
            drill,
            lastError: { code: "DRILL_CHECK_FAILED", class: "FAILED", message: detail, at: now },
          },
          {
            to: "RESTORE_FAILED",
            cause: `drill check failed: ${detail}`.slice(0, 300),
            events: (next) => [
              eventFromRestore("restore.failed", next, { targetName: target.name }),
            ],
          },
        );
    return this.#tearDown(settled, target);
  }

  /** A drill's result on its backup: `verification`, and `verifiedAt` when it passed. */
  async #recordCheck(backup: BackupRecord, record: RestoreRecord, passed: boolean, detail: string) {
    const at = this.#d.clock.now().toISOString();
    await this.#d.backups
      .patch(backup.id, "AVAILABLE", {
        verification: {
          at,
          restoreId: record.id,
          result: passed ? "PASSED" : "FAILED",
          detail: detail.slice(0, 1000),
        },
        ...(passed ? { verifiedAt: at } : {}),
      })
      // A backup no longer AVAILABLE (deleted meanwhile, held and expired) has nothing to note.
      .catch(() => undefined);
  }

  /**
   * Tears down what a drill created, and only that: the resource its restore recorded as
   * created, or else one the vendor holds under the restore's own id (a start whose answer
   * was lost). Nothing else is ever deleted; the vendor refuses anything not created by
   * us (`deleteCreated`). Looked at again until the vendor no longer has it.
   */
  async #tearDown(record: RestoreRecord, target: Target): Promise<RestorePoll> {
    const restores = await restoresOf(this.#d.providers, target);
    let ref: RestoreRef | undefined =
      record.providerResourceId && record.createdResource
        ? {
            jobId: record.providerJobId ?? "",
            resourceId: record.providerResourceId,
            created: true,
          }
        : undefined;
    if (!ref) {
      const found = await restores.find(record.id, record.destination);
      ref = found?.created ? found : undefined;
    }
    if (ref && (await restores.deleteCreated(ref)).status === "DELETING")
      return { outcome: "RUNNING", nextWaitSeconds: 30, expectedSeconds: 0 };
    await this.#d.restores.update(
      record.id,
      { drill: { ...record.drill!, teardown: "DONE" } },
      { in: ["RESTORED", "RESTORE_FAILED"] },
    );
    await this.#afterSettled(record, target);
    return { outcome: record.status as "RESTORED" | "RESTORE_FAILED" };
  }

  /** The Catch path: RESTORE_FAILED with the reason, the lease and the backup's mark lifted. */
  async recordRestoreFailure({
    restoreId,
    error,
  }: RestoreTaskInput<"failure">): Promise<{ status: string }> {
    const { record, target } = await this.#load(restoreId);
    if (!SETTLED_RESTORE.has(record.status)) {
      const at = this.#d.clock.now().toISOString();
      const { at: _at, ...reason } = backupErrorOf(error, at);
      await settleFailed(this.#d, record, target, reason);
      return { status: "RESTORE_FAILED" };
    }
    await this.#afterSettled(record, target);
    return { status: record.status };
  }

  /** The first look: when a restore should be done (as long as the backup took), or the plan's first step. */
  #firstLook(record: RestoreRecord, backup: BackupRecord): RestorePoll {
    const took =
      backup.startedAt && backup.completedAt
        ? (Date.parse(backup.completedAt) - Date.parse(backup.startedAt)) / 1000
        : 0;
    const expectedSeconds = Math.max(0, Math.round(took));
    return {
      outcome: "RUNNING",
      nextWaitSeconds: nextPollSeconds(facts(record, this.#d.clock.now(), expectedSeconds)),
      expectedSeconds,
    };
  }

  async #afterSettled(record: RestoreRecord, target: Target): Promise<void> {
    await this.#d.leases.release(destinationKey(target, record), record.id);
    await this.#d.backups.unmarkRestoring(record.backupId, record.id);
  }

  async #load(restoreId: string) {
    const record = await this.#d.restores.get(restoreId);
    const [target, backup] = await Promise.all([
      this.#d.targets.get(record.targetId),
      this.#d.backups.get(record.backupId),
    ]);
    return { record, target, backup };
  }
}

/** Settles a restore RESTORE_FAILED (announced once), and lifts its lease and mark. */
async function settleFailed(
  d: Pick<RestoreTaskDeps, "restores" | "backups" | "leases" | "clock">,
  record: RestoreRecord,
  target: Target,
  error: { code: string; class: string; message: string },
): Promise<RestoreRecord> {
  const at = d.clock.now().toISOString();
  const { record: settled } = await d.restores.update(
    record.id,
    { lastError: { ...error, message: error.message.slice(0, 1000), at }, completedAt: at },
    {
      to: "RESTORE_FAILED",
      cause: error.message.slice(0, 300),
      events: (next) => [eventFromRestore("restore.failed", next, { targetName: target.name })],
    },
  );
  await d.leases.release(destinationKey(target, record), record.id);
  await d.backups.unmarkRestoring(record.backupId, record.id);
  return settled;
}

/** What a drill's scratch resource has cost so far: hours since it was asked for × its units. */
function resourceHours(record: RestoreRecord, now: Date): number {
  if (!record.drill) return 0;
  const since = Date.parse(record.startedAt ?? record.createdAt);
  return (Math.max(0, now.getTime() - since) / 3_600_000) * record.drill.units;
}

function facts(record: RestoreRecord, now: Date, expectedSeconds: number) {
  const started = Date.parse(record.startedAt ?? record.createdAt);
  return {
    elapsedSeconds: Math.max(0, (now.getTime() - started) / 1000),
    ...(expectedSeconds > 0 ? { expectedSeconds } : {}),
    untilDeadlineSeconds: (Date.parse(record.deadlineAt) - now.getTime()) / 1000,
  };
}

/**
 * The lease a restore takes: on the existing resource it writes over — the same key that
 * resource's own backups take, so a restore and a backup of one instance exclude each
 * other — or on the name of the new resource it creates.
 */
export function destinationKey(target: Target, record: Pick<RestoreRecord, "destination">): string {
  const d = record.destination as Record<string, string | undefined>;
  const existing = d.instanceId ?? d.clusterId;
  if (existing) {
    const field = d.instanceId ? "instanceId" : "clusterId";
    return resourceKey({
      ...target,
      resource: { ...target.resource, [field]: existing },
    } as Target);
  }
  return `${resourceKey(target)}→new:${d.indexName ?? d.clusterName ?? d.instanceName ?? "?"}`;
}
