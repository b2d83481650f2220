import type { BackupRecord } from "../core/backup.ts";
import type { RestoreRecord } from "../core/restore.ts";
import type { BackupStatus } from "../core/status.ts";
import {
  DETAIL_SCHEMAS,
  type EventError,
  type EventOf,
  EventType,
  MAX_EVENT_MESSAGE,
} from "./events.ts";

/** The `backup.*` detail-types. */
export type BackupEventType = Extract<EventType, `backup.${string}`>;

/** What a `backup.*` event needs beyond the record, by detail-type. */
export interface BackupEventExtra {
  "backup.created": BackupExtraBase;
  "backup.available": BackupExtraBase;
  "backup.failed": BackupExtraBase & { error?: EventError };
  "backup.expiring": BackupExtraBase & { reason: string; expiresAt?: string };
  "backup.deleted": BackupExtraBase & { reason?: string };
  "backup.delete_failed": BackupExtraBase & { reason?: string; error?: EventError };
  "backup.orphaned": BackupExtraBase;
  "backup.vanished": BackupExtraBase & { previousStatus: BackupStatus };
  "backup.hold_lifted": BackupExtraBase & {
    hold: { reason: string; by: string; at: string };
    liftedBy: string;
  };
}

/** Optional facts every `backup.*` builder accepts. */
export interface BackupExtraBase {
  targetName?: string;
  /** Default: the record's `updatedAt` — the time of the transition the event reports. */
  occurredAt?: string;
}

const UNKNOWN_ERROR: EventError = {
  code: "UNKNOWN",
  class: "UNKNOWN",
  message: "no error was recorded",
};

/**
 * Builds a `backup.*` event from a record, right after the transition it reports. Only
 * named fields are copied and the result is parsed with the detail schema, so nothing
 * else on the record (or in `extra`) can leak into the bus.
 *
 * @param type - the detail-type
 * @param record - the record as written by the transition
 * @param extra - what the record does not say (for `backup.expiring`: the rule)
 *
 * @example
 * // Built from the record as the write leaves it, and written into its outbox with it.
 * await backups.transition(id, "FAILED", { lastError }, {
 *   events: (next) => [eventFromBackup("backup.failed", next)],
 * });
 */
export function eventFromBackup<T extends BackupEventType>(
  type: T,
  record: BackupRecord,
  ...[extra]: T extends "backup.expiring" | "backup.vanished" | "backup.hold_lifted"
    ? [extra: BackupEventExtra[T]]
    : [extra?: BackupEventExtra[T]]
): EventOf<T> {
  const more: Partial<
    BackupEventExtra["backup.delete_failed"] &
      BackupEventExtra["backup.expiring"] &
      BackupEventExtra["backup.vanished"] &
      BackupEventExtra["backup.hold_lifted"]
  > = extra ?? {};
  const detail = {
    version: 1,
    eventId: `${type}:${record.id}:${record.version}`,
    occurredAt: more.occurredAt ?? record.updatedAt,
    backupId: record.id,
    targetId: record.targetId,
    targetName: clip(more.targetName, 200),
    provider: record.provider,
    status: record.status,
    trigger: record.trigger,
    policyId: record.policyId,
    scheduledAt: record.scheduledAt,
    providerBackupId: record.providerBackupId,
    providerResourceId: record.providerResourceId,
    providerStatus: record.providerStatus,
    sizeBytes: record.sizeBytes,
    createdAt: record.createdAt,
    startedAt: record.startedAt,
    completedAt: record.completedAt,
    durationMs: durationOf(type, record),
    expiresAt: more.expiresAt ?? record.expiresAt,
    keepReasons: record.keepReasons,
    reason: clip(more.reason ?? record.orphan?.reason ?? record.deleteReason, 500),
    ownerBackupId: record.orphan?.ownerBackupId,
    deleteAfter: record.orphan?.deleteAfter,
    vanishedAt: record.vanishedAt,
    previousStatus: more.previousStatus,
    hold: more.hold,
    liftedBy: clip(more.liftedBy, 200),
    liftedAt: more.hold ? (more.occurredAt ?? record.updatedAt) : undefined,
    origin: record.origin ?? "managed",
    deleteRequestedAt: record.deleteRequestedAt,
    deletedAt: record.deletedAt ?? record.updatedAt,
    error: errorOf(more.error ?? record.lastError),
  };
  return { type, detail: DETAIL_SCHEMAS[type].parse(detail) } as EventOf<T>;
}

/**
 * Builds a `restore.*` event from a restore record, right after the transition it reports
 * (only named fields, parsed with the detail schema: the destination's details stay out).
 */
export function eventFromRestore<
  T extends "restore.requested" | "restore.restored" | "restore.failed",
>(type: T, record: RestoreRecord, extra: { targetName?: string } = {}): EventOf<T> {
  const span =
    record.completedAt && (type === "restore.restored" || type === "restore.failed")
      ? Math.max(0, Date.parse(record.completedAt) - Date.parse(record.createdAt))
      : undefined;
  const detail = {
    version: 1,
    eventId: `${type}:${record.id}:${record.version}`,
    occurredAt: record.updatedAt,
    restoreId: record.id,
    backupId: record.backupId,
    targetId: record.targetId,
    targetName: clip(extra.targetName, 200),
    provider: record.provider,
    status: record.status,
    destinationResourceId: record.providerResourceId ?? record.overwrites?.resourceId,
    overwrites: record.overwrites !== undefined,
    requestedBy: clip(record.requestedBy, 300),
    drillId: record.drillId,
    createdAt: record.createdAt,
    completedAt: record.completedAt,
    durationMs: span,
    ...(type === "restore.failed" ? { error: errorOf(record.lastError) } : {}),
  };
  return { type, detail: DETAIL_SCHEMAS[type].parse(detail) } as EventOf<T>;
}

/** Facts of a `freshness.*` event (lib/usecases/compliance.ts builds them). */
export type FreshnessFacts = Omit<EventOf<"freshness.breached">["detail"], "version" | "eventId">;

/**
 * Builds `freshness.breached` or `freshness.recovered` for one target. Its id is the
 * target's and the time the state changed, so a repeated announcement is one message.
 */
export function freshnessEvent<T extends "freshness.breached" | "freshness.recovered">(
  type: T,
  facts: FreshnessFacts & (T extends "freshness.recovered" ? { breachedSince: string } : object),
): EventOf<T> {
  const detail = {
    ...facts,
    version: 1,
    eventId: `${type}:${facts.targetId}:${facts.since}`,
    targetName: clip(facts.targetName, 200),
  };
  return { type, detail: DETAIL_SCHEMAS[type].parse(detail) } as EventOf<T>;
}

/** Facts of a `schedule.*` event. */
export interface ScheduleEventInput {
  policyId: string;
  policyName?: string;
  targetId?: string;
  targetName?: string;
  provider?: string;
  scheduledAt: string;
  occurredAt: string;
  reason?: string;
}

/**
 * Builds `schedule.skipped` (a due run deliberately not started: `reason` required) or
 * `schedule.missed` (not started within the start window; `detectedAt` = `occurredAt`).
 *
 * @example
 * scheduleEvent("schedule.skipped", { policyId, targetId, scheduledAt, occurredAt: now, reason: "a backup is still running" })
 */
export function scheduleEvent<T extends "schedule.skipped" | "schedule.missed" | "schedule.failed">(
  type: T,
  input: ScheduleEventInput &
    (T extends "schedule.skipped" ? { reason: string } : object) &
    (T extends "schedule.failed" ? { reason: string; error: EventError } : object) & {
      blockingBackupId?: string;
      windowMinutes?: number;
    },
): EventOf<T> {
  const detail = {
    version: 1,
    eventId: `${type}:${input.policyId}:${input.targetId ?? "*"}:${input.scheduledAt}`,
    detectedAt: input.occurredAt,
    ...pick(input),
    ...("error" in input && input.error ? { error: errorOf(input.error as EventError) } : {}),
  };
  return { type, detail: DETAIL_SCHEMAS[type].parse(detail) } as EventOf<T>;
}

function pick(input: ScheduleEventInput & { blockingBackupId?: string; windowMinutes?: number }) {
  const { policyId, policyName, targetId, targetName, provider, scheduledAt, occurredAt } = input;
  const { reason, blockingBackupId, windowMinutes } = input;
  return {
    policyId,
    policyName: clip(policyName, 200),
    targetId,
    targetName: clip(targetName, 200),
    provider,
    scheduledAt,
    occurredAt,
    reason: clip(reason, 500),
    blockingBackupId,
    windowMinutes,
  };
}

/** How long the step an event ends took, when both ends are known. */
function durationOf(type: EventType, record: BackupRecord): number | undefined {
  const span = (from: string | undefined, to: string | undefined) =>
    from && to ? Math.max(0, Date.parse(to) - Date.parse(from)) : undefined;
  switch (type) {
    case EventType.available:
    case EventType.failed:
      return span(record.startedAt ?? record.createdAt, record.completedAt ?? record.updatedAt);
    case EventType.deleted:
      return span(record.deleteRequestedAt, record.deletedAt ?? record.updatedAt);
    case EventType.deleteFailed:
      return span(record.deleteRequestedAt, record.updatedAt);
    default:
      return undefined;
  }
}

/** Free text is cut to its schema's limit rather than failing the event. */
function clip(text: string | undefined, max: number): string | undefined {
  return text === undefined || text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function errorOf(error: EventError | undefined): EventError {
  const { code, class: cls, message } = error ?? UNKNOWN_ERROR;
  const short =
    message.length > MAX_EVENT_MESSAGE ? `${message.slice(0, MAX_EVENT_MESSAGE - 1)}…` : message;
  return { code: code.slice(0, 200), class: cls.slice(0, 200), message: short };
}
