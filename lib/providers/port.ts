import type { Target } from "../core/target.ts";
import type { Turn } from "./rate-budget.ts";

/** Vendor status mapped onto one vocabulary (docs/providers.md §6.2). */
export type CommonStatus = "PENDING" | "RUNNING" | "AVAILABLE" | "FAILED" | "DELETING" | "DELETED";

/** Everything needed to find a vendor backup again; stored on the backup record. */
export interface BackupRef {
  backupId: string;
  /** Zilliz cluster id, Pinecone index name, Huawei instance id. */
  resourceId: string;
  /** The vendor's async job, where there is one. */
  jobId?: string;
}

/** What the vendor says about a backup right now. */
export interface BackupState {
  status: CommonStatus;
  /** The vendor's raw status string, always kept for operators. */
  providerStatus: string;
  failureReason?: string;
  sizeBytes?: number;
  /** Percent, where the vendor reports it. */
  progress?: number;
}

/**
 * The one interface every vendor adapter implements. An adapter is built for one target
 * (its resource and credentials). Adapters throw `ProviderError` (classified) and never
 * retry on their own: retries live in the workflows.
 */
export interface BackupProvider {
  readonly name: Target["provider"];
  /**
   * Whether the vendor keeps a label of ours on each backup (a name, a remark, a
   * description), so {@link VendorBackup.ownerId} tells ours apart. Zilliz does not.
   */
  readonly labelsBackups: boolean;
  /**
   * Checks, when a target is registered, that the vendor resource exists and supports
   * backups (e.g. DCS refuses single-node instances). Optional.
   */
  validateTarget?(): Promise<void>;
  /**
   * Reserves the account's next request slot in the fleet's rate budget, up to 15 minutes
   * ahead, without waiting for it: the turn, and how long to wait before coming back for
   * it (0: go now — a request made `inTurn` with it uses the slot, lib/providers/rate-budget.ts). Absent, or
   * undefined, where there is no shared budget (a per-process bucket).
   */
  reserveTurn?(): Promise<{ turn: Turn; retryAfterMs: number } | undefined>;
  /** Starts a backup of the target's resource; `backupId` is ours, for naming. */
  createBackup(request: { backupId: string }): Promise<{ ref: BackupRef; state: BackupState }>;
  /** The authoritative state; a backup the vendor no longer knows is DELETED. */
  getBackupStatus(ref: BackupRef): Promise<BackupState>;
  /** Requests deletion; an unknown backup counts as already DELETED. */
  deleteBackup(ref: BackupRef): Promise<{ status: "DELETED" | "DELETING" }>;
  /**
   * Every backup the vendor holds of this target's resource (created since `since`, when
   * given), in no promised order. Adoption reads it to find a vendor backup whose creation
   * we requested but could not record (a crash, a lost response); the reconciler compares
   * it with the catalogue. Each vendor's way of telling our backups apart is in
   * docs/providers.md §6.5.
   */
  listBackups(options?: { since?: Date }): Promise<VendorBackup[]>;
  /** Restores of this target's backups (docs/providers.md, each vendor's "Restore"). */
  readonly restores?: VendorRestores;
}

/** A vendor's restore job, and the resource it writes. Stored on the restore record. */
export interface RestoreRef {
  /** The vendor's job: Zilliz `jobId`, Pinecone `restore_job_id`, Huawei `job_id`/`restore_id`. */
  jobId: string;
  /** The resource written to: the new cluster, index or instance, or the existing one. */
  resourceId: string;
  /** Whether the restore created that resource (a drill deletes only those). */
  created: boolean;
}

/** What the vendor says about a restore job now. */
export interface RestoreState {
  status: "RUNNING" | "RESTORED" | "FAILED";
  providerStatus: string;
  /** Percent, where the vendor reports it. */
  progress?: number;
  failureReason?: string;
}

/** A restored resource as the vendor describes it (a drill's checks). */
export interface RestoredResource {
  exists: boolean;
  /** Ready for use (Zilliz RUNNING, Pinecone Ready, Huawei normal/RUNNING). */
  healthy: boolean;
  providerStatus: string;
  /** Where the vendor reports it: bytes, or a count of records/vectors/keys. */
  sizeBytes?: number;
  recordCount?: number;
}

/**
 * Restores, for one target's backups. Every call is classified like the backup calls
 * (`ProviderError`) and never retried here. `destination` has been validated by
 * `destinationSchema` (lib/core/restore.ts) for the target.
 */
export interface VendorRestores {
  /**
   * Checks a destination without changing anything. For a restore over an existing
   * resource, what it would replace; none for a new resource. A destination that cannot be
   * used (a name taken, no such instance, a backup not complete) throws INVALID,
   * NOT_FOUND or CONFLICT.
   */
  preview(
    backup: BackupRef,
    destination: Record<string, unknown>,
  ): Promise<{ overwrites?: { resourceId: string; summary: string } }>;
  /** Starts the restore; `restoreId` is ours, carried in the names/labels the vendor keeps. */
  start(request: {
    restoreId: string;
    backup: BackupRef;
    destination: Record<string, unknown>;
  }): Promise<{ ref: RestoreRef; state: RestoreState }>;
  /** The restore job's state; a job the vendor no longer knows is FAILED. */
  status(ref: RestoreRef): Promise<RestoreState>;
  /** The resource the restore wrote, as the vendor reports it now. */
  describe(ref: RestoreRef): Promise<RestoredResource>;
  /**
   * Deletes a resource a restore created — refused (INVALID) for one it did not
   * (`!ref.created`). An unknown resource is DELETED.
   */
  deleteCreated(ref: RestoreRef): Promise<{ status: "DELETED" | "DELETING" }>;
  /**
   * A restore of ours the vendor started though we never heard back (a crash, a lost
   * answer): found by the name or label that carries `restoreId`.
   */
  find(restoreId: string, destination: Record<string, unknown>): Promise<RestoreRef | undefined>;
}

/** One backup as the vendor lists it. */
export interface VendorBackup {
  ref: BackupRef;
  state: BackupState;
  /** When the vendor started it, ISO 8601, where the vendor says. */
  createdAt?: string;
  /**
   * Our backup id, read from what we gave the vendor (a name, a remark, a description):
   * present only on a backup we made. Zilliz keeps nothing of ours, so never there.
   */
  ownerId?: string;
  /** Made by the vendor's own schedule (an automatic backup), not by a request. */
  automatic: boolean;
  /**
   * Whether it is the kind of backup this target makes (a Zilliz collection backup for a
   * collection-scoped target); a vendor with one kind says true.
   */
  sameKind: boolean;
}

/** The label we give a vendor backup (a remark, a description) so it can be told as ours. */
export function ourLabel(backupId: string): string {
  return `backup-warden ${backupId}`;
}

/** What our vendor labels carry: "backup-warden <our id>" (remarks and descriptions). */
const OUR_LABEL = /^backup-warden (bk_[0-9a-z_-]{1,60})$/;

/** Our backup id in a label we wrote (`backup-warden bk_…`), or undefined. */
export function ownerIdOfLabel(label: string | null | undefined): string | undefined {
  return OUR_LABEL.exec(label ?? "")?.[1];
}
