import * as z from "zod";
import { ValidationError } from "../core/errors.ts";
import { BackupStatus } from "../core/status.ts";
import { SERVICE_NAME } from "./metrics.ts";

/**
 * The domain-event catalogue: one versioned detail schema per EventBridge detail-type.
 *
 * Compatibility rules: a v1 detail only ever gains optional fields; a breaking change
 * adds `version: 2` next to v1 (a union per type) so consumers can read both while
 * producers move. Consumers validate on receipt with {@link parseDomainEvent}; unknown
 * fields are dropped, so an older consumer keeps working against a newer producer.
 *
 * What a detail may carry: our ids, statuses, vendor name and vendor ids, sizes, times,
 * durations, error code/class/message, deletion reason, keep reasons, policy id and
 * scheduled time. Never credentials, secret references or webhook URLs: the builders in
 * `event-builders.ts` copy named fields only, and parsing strips anything else.
 */

/** The EventBridge `Source` of every event we publish: our service name. */
export const EVENT_SOURCE = SERVICE_NAME;

/** Every detail-type we publish, by short name. */
export const EventType = {
  created: "backup.created",
  available: "backup.available",
  failed: "backup.failed",
  expiring: "backup.expiring",
  deleted: "backup.deleted",
  deleteFailed: "backup.delete_failed",
  orphaned: "backup.orphaned",
  vanished: "backup.vanished",
  holdLifted: "backup.hold_lifted",
  scheduleSkipped: "schedule.skipped",
  scheduleMissed: "schedule.missed",
  scheduleFailed: "schedule.failed",
  restoreRequested: "restore.requested",
  restoreRestored: "restore.restored",
  restoreFailed: "restore.failed",
  freshnessBreached: "freshness.breached",
  freshnessRecovered: "freshness.recovered",
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

/** Longest error message an event carries (the record keeps at most 1000 characters). */
export const MAX_EVENT_MESSAGE = 2_000;

/** An error as events carry it: safe to show, never a stack or a cause. */
export const EventError = z.object({
  code: z.string().max(200),
  /** Provider error class (THROTTLED, AUTH, QUOTA, …) or our own code. */
  class: z.string().max(200),
  message: z.string().max(MAX_EVENT_MESSAGE),
});
export type EventError = z.infer<typeof EventError>;

const iso = z.iso.datetime();

/** Fields every event detail has. */
const common = {
  version: z.literal(1),
  /** Deterministic id (`type:backupId:recordVersion`): consumers drop duplicates by it. */
  eventId: z.string().min(1).max(300),
  occurredAt: iso,
};

/** Fields of every `backup.*` detail: what the backup is and where it lives. */
const backupFields = {
  ...common,
  backupId: z.string(),
  targetId: z.string(),
  /** Human name of the target, when the producer knows it. */
  targetName: z.string().max(200).optional(),
  /** Vendor: a name of the vendor table, lib/core/vendors.ts. */
  provider: z.string(),
  status: BackupStatus,
  trigger: z.enum(["api", "schedule", "adopted"]),
  policyId: z.string().optional(),
  scheduledAt: iso.optional(),
  providerBackupId: z.string().optional(),
  providerResourceId: z.string().optional(),
  /** The vendor's own status word, as last seen. */
  providerStatus: z.string().optional(),
  sizeBytes: z.number().int().nonnegative().optional(),
  createdAt: iso,
  startedAt: iso.optional(),
  completedAt: iso.optional(),
  /** How long the step this event ends took: creation for available/failed, deletion for deleted. */
  durationMs: z.number().int().nonnegative().optional(),
};

/** Detail of `backup.created`: we accepted a backup request (PENDING or CREATING). */
export const BackupCreatedV1 = z.object(backupFields);
/** Detail of `backup.available`: the vendor reports the backup complete. */
export const BackupAvailableV1 = z.object({
  ...backupFields,
  expiresAt: iso.optional(),
  keepReasons: z.array(z.string()).optional(),
});
/** Detail of `backup.failed`: the create failed for good; this run is over. */
export const BackupFailedV1 = z.object({ ...backupFields, error: EventError });
/** Detail of `backup.expiring`: retention (or an expiry) decided the backup goes. */
export const BackupExpiringV1 = z.object({
  ...backupFields,
  /** The rule or actor that let it go, e.g. `keepDaily=7`, `expiresAt`, `api`. */
  reason: z.string().max(500),
  expiresAt: iso.optional(),
});
/** Detail of `backup.deleted`: the vendor no longer has it; a tombstone remains. */
export const BackupDeletedV1 = z.object({
  ...backupFields,
  reason: z.string().max(500).optional(),
  deleteRequestedAt: iso.optional(),
  deletedAt: iso,
});
/** Detail of `backup.delete_failed`: the delete gave up; the sweeper retries it later. */
export const BackupDeleteFailedV1 = z.object({
  ...backupFields,
  reason: z.string().max(500).optional(),
  error: EventError,
});

/** Detail of `backup.orphaned`: a vendor backup of ours no record claimed, now recorded. */
export const BackupOrphanedV1 = z.object({
  ...backupFields,
  reason: z.string().max(500),
  ownerBackupId: z.string().optional(),
  /** When the grace period ends and the orphan is deleted. */
  deleteAfter: iso,
});
/** Detail of `backup.vanished`: the vendor no longer has a backup we did not delete. */
export const BackupVanishedV1 = z.object({
  ...backupFields,
  vanishedAt: iso,
  /** The record's status before it was marked (AVAILABLE, EXPIRING, DELETE_FAILED). */
  previousStatus: BackupStatus,
  origin: z.enum(["managed", "unmanaged", "orphan"]),
});

/** Detail of `backup.hold_lifted`: a legal hold was lifted; retention applies again. */
export const BackupHoldLiftedV1 = z.object({
  ...backupFields,
  /** The hold that was lifted: why and by whom it had been placed. */
  hold: z.object({ reason: z.string().max(500), by: z.string().max(200), at: iso }),
  liftedBy: z.string().max(200),
  liftedAt: iso,
});

/** Fields of `schedule.*` details: a policy's run for one target at one scheduled time. */
const scheduleFields = {
  ...common,
  policyId: z.string(),
  policyName: z.string().max(200).optional(),
  targetId: z.string().optional(),
  targetName: z.string().max(200).optional(),
  provider: z.string().optional(),
  scheduledAt: iso,
};

/** Detail of `schedule.skipped`: a due run was deliberately not started. */
export const ScheduleSkippedV1 = z.object({
  ...scheduleFields,
  /** Why, in words, e.g. "a backup of this cluster is still running". */
  reason: z.string().max(500),
  /** The backup that was in the way, if any. */
  blockingBackupId: z.string().optional(),
});
/** Detail of `schedule.missed`: a run was not started within its start window. */
export const ScheduleMissedV1 = z.object({
  ...scheduleFields,
  detectedAt: iso,
  windowMinutes: z.number().int().positive().optional(),
  reason: z.string().max(500).optional(),
});

/** Detail of `schedule.failed`: a due run could not be handled (an error); the tick went on. */
export const ScheduleFailedV1 = z.object({
  ...scheduleFields,
  reason: z.string().max(500),
  error: EventError,
});

/** Fields of every `restore.*` detail: which restore, of which backup, to where. */
const restoreFields = {
  ...common,
  restoreId: z.string(),
  backupId: z.string(),
  targetId: z.string(),
  targetName: z.string().max(200).optional(),
  provider: z.string(),
  status: z.enum(["PENDING", "RESTORING", "RESTORED", "RESTORE_FAILED"]),
  /** The resource written to, once known (a new one's id, or the existing one). */
  destinationResourceId: z.string().optional(),
  /** True when the restore writes over an existing resource. */
  overwrites: z.boolean(),
  requestedBy: z.string().max(300),
  drillId: z.string().optional(),
  createdAt: iso,
  completedAt: iso.optional(),
  durationMs: z.number().int().nonnegative().optional(),
};

/** Detail of `restore.requested`: we accepted a restore (PENDING). */
export const RestoreRequestedV1 = z.object(restoreFields);
/** Detail of `restore.restored`: the vendor reports the restore complete. */
export const RestoreRestoredV1 = z.object(restoreFields);
/** Detail of `restore.failed`: the restore failed for good. */
export const RestoreFailedV1 = z.object({ ...restoreFields, error: EventError });

/**
 * Fields of `freshness.*` details: a target's newest AVAILABLE backup against its
 * freshness objective (RPO), found by the sweeper whether or not anything ran.
 */
const freshnessFields = {
  ...common,
  targetId: z.string(),
  targetName: z.string().max(200).optional(),
  provider: z.string(),
  /** The objective, as written (`26h`), and in seconds. */
  objective: z.string().max(20),
  objectiveSeconds: z.number().int().positive(),
  /** Where the objective comes from: the target's own, or the policy named. */
  objectiveFrom: z.string().max(200),
  /** The policy whose routing the message follows (the objective's, or the first covering). */
  policyId: z.string().optional(),
  /** Every policy covering the target (none: unprotected). */
  policyIds: z.array(z.string()).max(100),
  /** The newest AVAILABLE backup, when there is one. */
  newestBackupId: z.string().optional(),
  newestBackupAt: iso.optional(),
  /** Its age when this was found (absent: no AVAILABLE backup at all). */
  ageSeconds: z.number().int().nonnegative().optional(),
  /** When the target went out of its objective (a breach), or came back (a recovery). */
  since: iso,
};

/** Detail of `freshness.breached`: the newest good backup is older than the objective. */
export const FreshnessBreachedV1 = z.object(freshnessFields);
/** Detail of `freshness.recovered`: a good backup younger than the objective exists again. */
export const FreshnessRecoveredV1 = z.object({
  ...freshnessFields,
  /** When the breach began: how long the target was out of its objective. */
  breachedSince: iso,
});

/** Detail schema by detail-type. */
export const DETAIL_SCHEMAS = {
  "backup.created": BackupCreatedV1,
  "backup.available": BackupAvailableV1,
  "backup.failed": BackupFailedV1,
  "backup.expiring": BackupExpiringV1,
  "backup.deleted": BackupDeletedV1,
  "backup.delete_failed": BackupDeleteFailedV1,
  "backup.orphaned": BackupOrphanedV1,
  "backup.vanished": BackupVanishedV1,
  "backup.hold_lifted": BackupHoldLiftedV1,
  "schedule.skipped": ScheduleSkippedV1,
  "schedule.missed": ScheduleMissedV1,
  "schedule.failed": ScheduleFailedV1,
  "restore.requested": RestoreRequestedV1,
  "restore.restored": RestoreRestoredV1,
  "restore.failed": RestoreFailedV1,
  "freshness.breached": FreshnessBreachedV1,
  "freshness.recovered": FreshnessRecoveredV1,
} as const satisfies Record<EventType, z.ZodType>;

const member = <T extends EventType>(type: T) =>
  z.object({ type: z.literal(type), detail: DETAIL_SCHEMAS[type] });

/** One domain event: its detail-type and its detail. */
export const DomainEvent = z.discriminatedUnion("type", [
  member("backup.created"),
  member("backup.available"),
  member("backup.failed"),
  member("backup.expiring"),
  member("backup.deleted"),
  member("backup.delete_failed"),
  member("backup.orphaned"),
  member("backup.vanished"),
  member("backup.hold_lifted"),
  member("schedule.skipped"),
  member("schedule.missed"),
  member("schedule.failed"),
  member("restore.requested"),
  member("restore.restored"),
  member("restore.failed"),
  member("freshness.breached"),
  member("freshness.recovered"),
]);
export type DomainEvent = z.infer<typeof DomainEvent>;

/** The event of one detail-type. */
export type EventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;

/**
 * Any detail of the catalogue, passed through unchanged: an envelope check for entry
 * points. It cannot know the detail-type, so it must not strip fields (a `backup.failed`
 * detail also fits `backup.created`); {@link parseDomainEvent} then checks the pairing.
 */
export const AnyEventDetail = z.union([
  BackupCreatedV1.loose(),
  BackupAvailableV1.loose(),
  BackupFailedV1.loose(),
  BackupExpiringV1.loose(),
  BackupDeletedV1.loose(),
  BackupDeleteFailedV1.loose(),
  BackupOrphanedV1.loose(),
  BackupVanishedV1.loose(),
  BackupHoldLiftedV1.loose(),
  ScheduleSkippedV1.loose(),
  ScheduleMissedV1.loose(),
  ScheduleFailedV1.loose(),
  RestoreRequestedV1.loose(),
  RestoreRestoredV1.loose(),
  RestoreFailedV1.loose(),
  FreshnessBreachedV1.loose(),
  FreshnessRecoveredV1.loose(),
]);

/** An event as EventBridge delivers it to a target (only the fields we read). */
const ReceivedEvent = z
  .object({ "detail-type": z.string(), detail: z.unknown() })
  .transform((e) => ({ type: e["detail-type"], detail: e.detail }));

/**
 * Validates an event on receipt. Accepts our `{type, detail}` shape or an EventBridge
 * event (`{"detail-type", detail, …}`).
 *
 * @throws ValidationError naming the first bad field — never its value
 */
export function parseDomainEvent(input: unknown): DomainEvent {
  const shaped = ReceivedEvent.safeParse(input);
  const result = DomainEvent.safeParse(shaped.success ? shaped.data : input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  const type = (shaped.success ? shaped.data : (input as { type?: unknown } | null))?.type;
  throw new ValidationError(
    `invalid domain event${typeof type === "string" ? ` ${type.slice(0, 60)}` : ""}: ${issues[0]?.path || "(event)"} ${issues[0]?.message ?? ""}`.trim(),
    issues,
  );
}
