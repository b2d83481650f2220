import type { Target } from "../core/target.ts";

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
   * Checks, when a target is registered, that the vendor resource exists and supports
   * backups (e.g. DCS refuses single-node instances). Optional.
   */
  validateTarget?(): Promise<void>;
  /** Starts a backup of the target's resource; `backupId` is ours, for naming. */
  createBackup(request: { backupId: string }): Promise<{ ref: BackupRef; state: BackupState }>;
  /** The authoritative state; a backup the vendor no longer knows is DELETED. */
  getBackupStatus(ref: BackupRef): Promise<BackupState>;
  /** Requests deletion; an unknown backup counts as already DELETED. */
  deleteBackup(ref: BackupRef): Promise<{ status: "DELETED" | "DELETING" }>;
  /**
   * Backups of this resource that the vendor started since `since` and that can be told
   * apart as ours (still creating, or named by us), newest first. Used to adopt a vendor backup whose creation we requested
   * but could not record (a crash or a lost response), so no vendor backup goes unrecorded.
   */
  findInFlight(since: Date): Promise<BackupRef[]>;
}
