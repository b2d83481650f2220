import * as z from "zod";
import { ID_PATTERN } from "./ids.ts";
import { BackupStatus } from "./status.ts";

/** How a backup came to be: requested, scheduled, or found at the vendor (the reconciler). */
export const BackupTrigger = z.enum(["api", "schedule", "adopted"]);
export type BackupTrigger = z.infer<typeof BackupTrigger>;

/** The last error seen on a backup, safe to show (no secrets, no stack). */
export const BackupError = z.object({
  code: z.string(),
  /** Provider error class (THROTTLED, AUTH, …) or our own code. */
  class: z.string(),
  message: z.string(),
  at: z.iso.datetime(),
});
export type BackupError = z.infer<typeof BackupError>;

/** A legal hold: a held backup is never deleted. */
export const BackupHold = z.object({
  reason: z.string().min(1).max(500),
  by: z.string().min(1).max(200),
  at: z.iso.datetime(),
});
export type BackupHold = z.infer<typeof BackupHold>;

/**
 * Whose backup it is. `managed` (absent): one we made for a request or a schedule.
 * `unmanaged`: found at the vendor, not made by us (the console, the vendor's automatic
 * backups) — shown, never deleted by retention unless a policy opts in. `orphan`: found
 * at the vendor carrying our id with no record, or a duplicate of a record's backup —
 * deleted once its grace period is over.
 */
export const BackupOrigin = z.enum(["managed", "unmanaged", "orphan"]);
export type BackupOrigin = z.infer<typeof BackupOrigin>;

/** Why an orphan was recorded, and when it may go. */
export const OrphanFacts = z.object({
  reason: z.string().max(500),
  /** The record whose id the vendor backup carries, when there is one. */
  ownerBackupId: z.string().optional(),
  detectedAt: z.iso.datetime(),
  deleteAfter: z.iso.datetime(),
});
export type OrphanFacts = z.infer<typeof OrphanFacts>;

/**
 * A backup's tag, restic-style: a plain string, matched by the retention's `tags` rule
 * (which splits on commas, so a tag cannot hold one).
 */
export const BackupTag = z
  .string()
  .regex(/^[A-Za-z0-9_.:/=+@-]{1,128}$/, "a tag is 1-128 of A-Za-z0-9_.:/=+@- (no commas)");
export type BackupTag = z.infer<typeof BackupTag>;

/** One status change, kept on the record (appended in the same conditional write). */
export const HistoryEntry = z.object({
  at: z.iso.datetime(),
  status: BackupStatus,
  /** What caused it: the trigger, a vendor status, a retention rule, an API caller… */
  cause: z.string(),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

/** One backup as we track it. */
export const BackupRecord = z.object({
  id: z.string(),
  targetId: z.string(),
  provider: z.string(),
  status: BackupStatus,
  trigger: BackupTrigger,
  policyId: z.string().optional(),
  /**
   * From the request and the policy that made it; the retention's `tags` rule reads them.
   * Absent: none.
   */
  tags: z.array(BackupTag).max(40).optional(),
  scheduledAt: z.iso.datetime().optional(),
  /** The vendor's id of the backup, once the vendor accepted the request. */
  providerBackupId: z.string().optional(),
  /** The vendor resource the backup belongs to (cluster id, index name, instance id). */
  providerResourceId: z.string().optional(),
  providerJobId: z.string().optional(),
  /** The vendor's raw status, always kept for operators. */
  providerStatus: z.string().optional(),
  /** Vendor-reported progress in percent, where the vendor reports it. */
  progress: z.number().min(0).max(100).optional(),
  sizeBytes: z.number().int().nonnegative().optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** When the vendor job started / the backup became AVAILABLE. */
  startedAt: z.iso.datetime().optional(),
  completedAt: z.iso.datetime().optional(),
  /** The completion window: not AVAILABLE by then means FAILED (timeout). */
  deadlineAt: z.iso.datetime(),
  /** Explicit expiry requested for this backup, if any. */
  expiresAt: z.iso.datetime().optional(),
  hold: BackupHold.optional(),
  /** The last restore drill of this backup: restored, checked and torn down, or not. */
  verification: z
    .object({
      at: z.iso.datetime(),
      restoreId: z.string(),
      result: z.enum(["PASSED", "FAILED"]),
      detail: z.string().max(1000),
    })
    .optional(),
  /** When a drill last proved this backup restorable. */
  verifiedAt: z.iso.datetime().optional(),
  /** A restore reading this backup: while it runs, nothing deletes the backup. */
  restoringBy: z.object({ restoreId: z.string(), since: z.iso.datetime() }).optional(),
  keepReasons: z.array(z.string()).optional(),
  lastError: BackupError.optional(),
  deleteRequestedAt: z.iso.datetime().optional(),
  /** When the current deletion attempt started (a retried deletion gets a fresh window). */
  deleteAttemptAt: z.iso.datetime().optional(),
  /** Who or what asked for the deletion: "api", a retention rule, … */
  deleteReason: z.string().optional(),
  deletedAt: z.iso.datetime().optional(),
  /** Absent: `managed`. */
  origin: BackupOrigin.optional(),
  orphan: OrphanFacts.optional(),
  /** When the reconciler found the vendor backup gone without our deleting it. */
  vanishedAt: z.iso.datetime().optional(),
  /** Every status transition with time and cause, oldest first. */
  history: z.array(HistoryEntry).default([]),
  /** Optimistic-concurrency version, incremented by every write. */
  version: z.number().int().nonnegative(),
});
export type BackupRecord = z.infer<typeof BackupRecord>;

/** The body of `POST /v1/targets/{targetId}/backups`. */
export const CreateBackupInput = z
  .object({
    /** Keep this backup at least until then; retention never removes it earlier. */
    expiresAt: z.iso.datetime().optional(),
    /** Tags the backup carries (restic-style strings). */
    tags: z.array(BackupTag).max(20).optional(),
    /**
     * A policy covering the target whose retention governs this backup as one of its own
     * (its `tags` rule may keep it); without it, only the backup's `expiresAt` does.
     */
    policyId: z.string().regex(ID_PATTERN, "a policy id").optional(),
  })
  .strict();
export type CreateBackupInput = z.infer<typeof CreateBackupInput>;
