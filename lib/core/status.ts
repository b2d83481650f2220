import * as z from "zod";

/**
 * The backup status machine. The allowed transitions are written down here once; the
 * store enforces them with conditional writes, so a stale or duplicated update fails
 * instead of moving a record backwards.
 *
 * ```
 * PENDING -> CREATING -> AVAILABLE -> EXPIRING -> DELETING -> DELETED
 *    \          \                        \           \
 *     FAILED <---'                   (AVAILABLE)   DELETE_FAILED -> DELETING (retry)
 * ```
 * AVAILABLE, EXPIRING and DELETE_FAILED may also go straight to DELETED: the reconciler
 * found the vendor backup gone (vanished), which only the vendor can confirm.
 */
export const BackupStatus = z.enum([
  "PENDING",
  "CREATING",
  "AVAILABLE",
  "EXPIRING",
  "DELETING",
  "DELETED",
  "FAILED",
  "DELETE_FAILED",
]);
export type BackupStatus = z.infer<typeof BackupStatus>;

/** For each status, the statuses it may move to. */
export const TRANSITIONS = {
  PENDING: ["CREATING", "FAILED"],
  CREATING: ["AVAILABLE", "FAILED"],
  // AVAILABLE -> DELETING is an explicit delete request (API); retention goes via EXPIRING.
  AVAILABLE: ["EXPIRING", "DELETING", "DELETED"],
  // EXPIRING -> AVAILABLE: a hold placed or a re-plan keeps it after all.
  EXPIRING: ["DELETING", "AVAILABLE", "DELETED"],
  DELETING: ["DELETED", "DELETE_FAILED"],
  DELETED: [],
  // FAILED -> DELETING: a failed attempt may have left a partial vendor backup to clean up.
  FAILED: ["DELETING"],
  DELETE_FAILED: ["DELETING", "DELETED"],
} as const satisfies Record<BackupStatus, readonly BackupStatus[]>;

/** Statuses in which a workflow is (or should be) working on the record. */
export const IN_FLIGHT_STATUSES = [
  "PENDING",
  "CREATING",
  "DELETING",
] as const satisfies readonly BackupStatus[];

/** Statuses after which nothing happens without a new request. */
export const TERMINAL_STATUSES = ["DELETED", "FAILED"] as const satisfies readonly BackupStatus[];

/** Whether `from -> to` is an allowed transition. */
export function canTransition(from: BackupStatus, to: BackupStatus): boolean {
  return (TRANSITIONS[from] as readonly BackupStatus[]).includes(to);
}

/** The statuses from which `to` may be reached: the condition of a conditional write. */
export function sourcesOf(to: BackupStatus): BackupStatus[] {
  return BackupStatus.options.filter((from) => canTransition(from, to));
}
