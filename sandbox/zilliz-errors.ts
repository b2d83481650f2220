/**
 * Zilliz Cloud v2 control-plane error codes used by the simulator, with the HTTP status
 * each is sent with.
 *
 * HTTP status policy (docs/providers.md §1.2 allows both): authentication failures come with
 * HTTP 401 — recorded traffic of the official Terraform provider shows a 401 for an invalid
 * key — while every business and validation error comes with **HTTP 200 and a non-zero
 * `code`** (the same recordings show e.g. a duplicate-name failure as HTTP 200). A client
 * must therefore always check `code`, not only the HTTP status.
 */
export const ZILLIZ_CODES = {
  /** Documented failure example of every v2 spec. */
  apiKeyIllegal: 21119,
  /** "Invalid cuSize. The parameter value should be positive." */
  cuSizeInvalid: 96002,
  /** "Invalid projectId. The projectId should be like proj-xxxxxxxx." */
  projectIdInvalid: 96005,
  pageSizeInvalid: 96008,
  /** "Invalid clusterName. Cluster names can only contain alphanumeric letters and hyphens." */
  clusterNameInvalid: 96010,
  /** "The specified cluster name already exists under project." */
  clusterNameExists: 96017,
  currentPageInvalid: 96009,
  clusterNotFound: 96018,
  serverlessUnsupported: 96022,
  /** "The specified class does not exist. Please check the cuType, cuSize and plan combination." */
  classNotFound: 96023,
  jobNotFound: 96026,
  backupTypeInvalid: 96029,
  creationMethodInvalid: 96030,
  /** Documented for backup-policy times; UNCONFIRMED for the list `startTime`/`endTime`. */
  timeInvalid: 96033,
  /** "Invalid backup restore policy. The value of 'collectionStatus' should be KEEP or RELEASE." */
  collectionStatusInvalid: 96031,
  clusterIdInvalid: 96036,
  /** "Invalid targetCollectionStatus. The value should be LOADED or UNLOADED." */
  targetCollectionStatusInvalid: 96037,
  /** "failed to create backup: %s" — free-text reason. */
  createBackupFailed: 96038,
  /**
   * "Failed to restore collection backup. %s" — free-text reason. ASSUMPTION (UNCONFIRMED):
   * which failures come as this code (and with which words) is not documented; the simulator
   * sends it for a backup not AVAILABLE and for collections or databases it cannot find.
   */
  restoreCollectionFailed: 96039,
  /**
   * "Failed to restore cluster backup. %s" — free-text reason. ASSUMPTION (UNCONFIRMED): the
   * simulator sends it for a backup not AVAILABLE, a collection backup and an exhausted CU
   * quota ("insufficient CU quota"); the real service may use other codes for these.
   */
  restoreClusterFailed: 96040,
  /**
   * ASSUMPTION (UNCONFIRMED): the code for an unknown backup is not documented. The
   * simulator answers HTTP 200 + code 96019 + a message containing "not found".
   */
  backupNotFound: 96019,
  /**
   * ASSUMPTION (UNCONFIRMED): whether a CREATING backup may be deleted is not documented.
   * The simulator refuses with HTTP 200 + code 96041 (an otherwise unused code).
   */
  deleteBackupFailed: 96041,
  /**
   * ASSUMPTION (UNCONFIRMED): the throttling response shape is not documented. The
   * simulator answers HTTP 429 + `Retry-After` + code 429 + a message containing "rate limit".
   */
  rateLimited: 429,
} as const;

/** A Zilliz failure: the HTTP status and the `{code, message}` envelope. */
export interface ZillizError {
  httpStatus: number;
  code: number;
  message: string;
}

/** Builds a business error (HTTP 200 + non-zero code, see {@link ZILLIZ_CODES}). */
export function zillizError(code: number, message: string): ZillizError {
  return { httpStatus: 200, code, message };
}

/** Message for the only-one-manual-job rule; clients detect the conflict by this text. */
export const JOB_IN_PROGRESS_MESSAGE =
  "failed to create backup: a manual backup job is already in progress on this cluster, " +
  "please wait until it is completed";
