import * as z from "zod";

/*
 * What the fleet looks like as a whole: each target against its freshness objective
 * (lib/usecases/compliance.ts) and the storage bill (lib/usecases/usage.ts), as the API
 * answers them and the CLI and the console read them.
 */

/**
 * Where a target stands against its freshness objective (RPO):
 * - `fresh`: its newest good backup is younger than the objective;
 * - `breached`: older, or there is none, or it was watched and no policy covers it any more;
 * - `unprotected`: no policy covers it (and it was never watched);
 * - `no-objective`: covered, but nobody set an objective.
 */
export const FreshnessStatus = z.enum(["fresh", "breached", "unprotected", "no-objective"]);
export type FreshnessStatus = z.infer<typeof FreshnessStatus>;

const BackupRef = z.object({ backupId: z.string(), at: z.iso.datetime() });

/** One target's line of `GET /v1/compliance` (and of `warden status`, and the console). */
export const TargetCompliance = z.object({
  targetId: z.string(),
  name: z.string(),
  provider: z.string(),
  /** The objective as written (`26h`), its seconds, and where it comes from. */
  objective: z.string().optional(),
  objectiveSeconds: z.number().int().positive().optional(),
  /** `target`, or `policy:<id>`. */
  objectiveFrom: z.string().optional(),
  status: FreshnessStatus,
  /** The newest AVAILABLE backup (ours or the vendor's own), and its age now. */
  newestBackup: BackupRef.extend({ ageSeconds: z.number().int().nonnegative() }).optional(),
  /** The newest backup a restore drill proved restorable. */
  newestVerified: BackupRef.optional(),
  /** The newest backup attempt, whatever became of it. */
  lastResult: BackupRef.extend({ status: z.string() }).optional(),
  /** Policies covering the target (disabled ones too: they still declare objectives). */
  policies: z.array(z.object({ id: z.string(), enabled: z.boolean() })),
  /** The soonest next scheduled run of an enabled covering policy. */
  nextRunAt: z.iso.datetime().optional(),
  /** Bytes the vendor holds for it: every backup of it not yet deleted, where sizes are known. */
  storedBytes: z.number().int().nonnegative(),
  /** When the breach now announced began (absent unless `breached` was announced). */
  breachedSince: z.iso.datetime().optional(),
});
export type TargetCompliance = z.infer<typeof TargetCompliance>;

/** Days in the storage series, today included. */
export const USAGE_DAYS = 30;

const Bytes = z.number().int().nonnegative();
const BytesBy = z.record(z.string(), Bytes);

/** The storage bill: what the vendors hold for us, now and day by day (`GET /v1/usage`). */
export const UsageReport = z.object({
  at: z.iso.datetime(),
  totalBytes: Bytes,
  /** Backups the vendors hold now, and how many of them report no size (counted as 0). */
  backups: z.number().int().nonnegative(),
  unsized: z.number().int().nonnegative(),
  byVendor: BytesBy,
  /** By the policy that made each backup; `(none)` for on-demand and unmanaged ones. */
  byPolicy: BytesBy,
  byTarget: BytesBy,
  /** Bytes held at the end of each of the last 30 days (UTC; today: now), oldest first. */
  series: z.array(z.object({ date: z.iso.date(), totalBytes: Bytes, byVendor: BytesBy })),
});
export type UsageReport = z.infer<typeof UsageReport>;
