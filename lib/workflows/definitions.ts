import { ProviderErrorName, RETRYABLE_PROVIDER_ERRORS } from "../core/provider-error.ts";

/**
 * The create-backup and delete-backup state machines as Amazon States Language data
 * (JSONPath). The same objects are executed locally by aws-local-stepfunctions and
 * deployed by `stacks/workflows.ts`; only the task ARNs differ.
 */

/** Every Lambda task of both workflows; each has one handler in functions/handlers/. */
export const TASKS = {
  startBackup: "start-backup",
  pollBackup: "poll-backup",
  recordFailure: "record-failure",
  deleteProviderBackup: "delete-provider-backup",
  pollDeletion: "poll-deletion",
  recordDeleteFailure: "record-delete-failure",
  startRestore: "start-restore",
  pollRestore: "poll-restore",
  recordRestoreFailure: "record-restore-failure",
} as const;
export type TaskKey = keyof typeof TASKS;
export type TaskArns = Record<TaskKey, string>;

/**
 * DynamoDB's transient failures (after the SDK's own retries): a busy table must never
 * turn a healthy backup into FAILED.
 */
const STORE_ERRORS = [
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "InternalServerError",
  "ServiceUnavailable",
  "TimeoutError",
];

/** Lambda's own transient failures, retried on every task. */
const LAMBDA_ERRORS = [
  "Lambda.ServiceException",
  "Lambda.AWSLambdaException",
  "Lambda.SdkClientException",
];

/**
 * Lambda refusing the call for want of concurrency (a fleet's worth of executions at
 * once): the task never ran, so it is waited out — about six minutes on average, at most
 * twelve — rather than failing the backup after a minute. The local runtime's fleet bench
 * failed 5,593 backups that way with the shorter retry of the other Lambda errors.
 */
const LAMBDA_THROTTLE_RETRY = {
  ErrorEquals: ["Lambda.TooManyRequestsException"],
  IntervalSeconds: 5,
  BackoffRate: 2,
  MaxAttempts: 10,
  MaxDelaySeconds: 120,
  JitterStrategy: "FULL",
};

/** Throttling and 5xx from a vendor: backoff with full jitter, capped. */
const VENDOR_RETRY = {
  ErrorEquals: [...RETRYABLE_PROVIDER_ERRORS],
  IntervalSeconds: 5,
  BackoffRate: 2,
  MaxAttempts: 6,
  MaxDelaySeconds: 120,
  JitterStrategy: "FULL",
};
/**
 * The fleet's rate budget is taken (lib/providers/rate-budget.ts): a fleet's worth of
 * starts on one account waits its turn. Thousands of backups due on one tick queue for
 * minutes — 2,500 on an account of 5 requests/s is over eight — so this waits far longer
 * than a vendor's own 5xx would deserve: up to 15 attempts, at most five minutes apart,
 * with full jitter (about half an hour on average before the task gives up).
 */
const THROTTLE_RETRY = {
  ErrorEquals: [ProviderErrorName.THROTTLED],
  IntervalSeconds: 10,
  BackoffRate: 2,
  MaxAttempts: 15,
  MaxDelaySeconds: 300,
  JitterStrategy: "FULL",
};
/** "Busy, try later" from a vendor (another job on the cluster, a pending restore). */
const CONFLICT_RETRY = {
  ErrorEquals: [ProviderErrorName.CONFLICT],
  IntervalSeconds: 60,
  BackoffRate: 1.5,
  MaxAttempts: 6,
  MaxDelaySeconds: 600,
  JitterStrategy: "FULL",
};
const INFRA_RETRY = {
  ErrorEquals: [...LAMBDA_ERRORS, ...STORE_ERRORS],
  IntervalSeconds: 2,
  BackoffRate: 2,
  MaxAttempts: 5,
  JitterStrategy: "FULL",
};
/** Recording an outcome must not be lost to a blip: retry anything a few times. */
const RECORD_RETRY = {
  ErrorEquals: ["States.ALL"],
  IntervalSeconds: 2,
  BackoffRate: 2,
  MaxAttempts: 5,
  JitterStrategy: "FULL",
};
/**
 * Recording an outcome: Lambda's refusals on the long ladder first — a record left
 * PENDING because its failure could not be written waits for the sweeper (the fleet bench
 * left 450 so) — then anything else a few times.
 */
const RECORD_RETRIES = [LAMBDA_THROTTLE_RETRY, RECORD_RETRY];
/** A vendor call that starts work (create, delete): busy resources are waited out too. */
const VENDOR_CALL_RETRIES = [
  LAMBDA_THROTTLE_RETRY,
  THROTTLE_RETRY,
  VENDOR_RETRY,
  CONFLICT_RETRY,
  INFRA_RETRY,
];
/** A vendor read (a poll): throttling, vendor 5xx and our own infrastructure. */
const VENDOR_POLL_RETRIES = [LAMBDA_THROTTLE_RETRY, THROTTLE_RETRY, VENDOR_RETRY, INFRA_RETRY];
const CATCH_ALL = (next: string) => [
  { ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: next },
];

/**
 * A Lambda Task. Every task is also given its execution's name, so each log line of the
 * task names the execution an operator sees in the Step Functions console.
 */
function task(
  resource: string,
  extra: { Parameters: Record<string, string> } & Record<string, unknown>,
) {
  return {
    Type: "Task",
    Resource: resource,
    ...extra,
    Parameters: { ...extra.Parameters, "execution.$": "$$.Execution.Name" },
  };
}

/** Task inputs the ASL builds from the execution's state. */
const BACKUP_ID = { "backupId.$": "$.backupId" };
/**
 * A poll's input: the wait that led to it, and what the last step knew of the job's length
 * (lib/workflows/poll-plan.ts decides the next wait from both and from the vendor).
 */
const POLL_INPUT = {
  ...BACKUP_ID,
  "waitSeconds.$": "$.poll.nextWaitSeconds",
  "expectedSeconds.$": "$.poll.expectedSeconds",
};
const FAILURE_INPUT = { ...BACKUP_ID, "error.$": "$.error" };

/**
 * Waits as long as the last step said (`$.poll.nextWaitSeconds`), then goes to `next`. The
 * steps write their answer to `$.poll` directly: no Pass state moves a number (every state
 * is a billed transition).
 */
const waitFor = (next: string) => ({
  Type: "Wait",
  SecondsPath: "$.poll.nextWaitSeconds",
  Next: next,
});

/**
 * create-backup: lease + vendor create → wait/poll, when the plan says → AVAILABLE | FAILED.
 * Every state entered is a billed transition, so a step does all it can: the start takes
 * the lease, the poll that sees the end settles the record.
 *
 * A start the fleet's rate budget cannot admit now is deferred (lib/providers/rate-budget.ts
 * `inTurn`): it reserves a slot ahead and answers DEFERRED with when to come back and the
 * slot (`$.poll.turn`); `WaitForTurn` waits until then (a Wait state costs nothing while it
 * waits) and `StartInTurn` asks the vendor in that slot. A backlog of thousands goes out at
 * the budget's full rate with no invocation sleeping through it, and no retry ladder to
 * exhaust.
 */
export function createBackupDefinition(arns: TaskArns) {
  const start = (Parameters: Record<string, string>) =>
    task(arns.startBackup, {
      Parameters,
      ResultPath: "$.poll",
      Retry: VENDOR_CALL_RETRIES,
      Catch: CATCH_ALL("RecordFailure"),
      Next: "BackupOutcome",
    });
  return {
    Comment: "backup-warden: create one backup and follow it to AVAILABLE or FAILED",
    StartAt: "StartProviderBackup",
    States: {
      StartProviderBackup: start(BACKUP_ID),
      WaitForTurn: { Type: "Wait", TimestampPath: "$.poll.retryAt", Next: "StartInTurn" },
      StartInTurn: start({ ...BACKUP_ID, "turn.$": "$.poll.turn" }),
      WaitForBackup: waitFor("PollBackup"),
      PollBackup: task(arns.pollBackup, {
        Parameters: POLL_INPUT,
        ResultPath: "$.poll",
        Retry: VENDOR_POLL_RETRIES,
        Catch: CATCH_ALL("RecordFailure"),
        Next: "BackupOutcome",
      }),
      BackupOutcome: {
        Type: "Choice",
        Choices: [
          { Variable: "$.poll.outcome", StringEquals: "AVAILABLE", Next: "BackupAvailable" },
          { Variable: "$.poll.outcome", StringEquals: "FAILED", Next: "BackupFailed" },
          { Variable: "$.poll.outcome", StringEquals: "DEFERRED", Next: "WaitForTurn" },
        ],
        Default: "WaitForBackup",
      },
      RecordFailure: task(arns.recordFailure, {
        Parameters: FAILURE_INPUT,
        ResultPath: "$.recorded",
        Retry: RECORD_RETRIES,
        Next: "RecordedOutcome",
      }),
      // A step failed after the backup had already been settled AVAILABLE: it stays so,
      // and the execution succeeds (no failed-execution alarm for a good backup).
      RecordedOutcome: {
        Type: "Choice",
        Choices: [
          { Variable: "$.recorded.status", StringEquals: "AVAILABLE", Next: "BackupAvailable" },
        ],
        Default: "BackupFailed",
      },
      BackupAvailable: { Type: "Succeed" },
      BackupFailed: {
        Type: "Fail",
        Error: "BackupFailed",
        Cause: "the backup ended FAILED; see its record",
      },
    },
  };
}

/**
 * delete-backup: DELETING + vendor delete → poll until gone → DELETED | DELETE_FAILED. The
 * step that sees the backup gone writes the tombstone (no separate record step).
 */
export function deleteBackupDefinition(arns: TaskArns) {
  return {
    Comment: "backup-warden: delete one backup at the vendor and keep a tombstone",
    StartAt: "DeleteProviderBackup",
    States: {
      DeleteProviderBackup: task(arns.deleteProviderBackup, {
        Parameters: { ...BACKUP_ID, "reason.$": "$.reason" },
        ResultPath: "$.poll",
        Retry: VENDOR_CALL_RETRIES,
        Catch: CATCH_ALL("RecordDeleteFailure"),
        Next: "DeletionOutcome",
      }),
      DeletionOutcome: {
        Type: "Choice",
        Choices: [{ Variable: "$.poll.gone", BooleanEquals: true, Next: "Deleted" }],
        Default: "WaitForDeletion",
      },
      WaitForDeletion: waitFor("PollDeletion"),
      PollDeletion: task(arns.pollDeletion, {
        Parameters: POLL_INPUT,
        ResultPath: "$.poll",
        Retry: VENDOR_POLL_RETRIES,
        Catch: CATCH_ALL("RecordDeleteFailure"),
        Next: "DeletionOutcome",
      }),
      RecordDeleteFailure: task(arns.recordDeleteFailure, {
        Parameters: FAILURE_INPUT,
        ResultPath: null,
        Retry: RECORD_RETRIES,
        Next: "DeleteFailed",
      }),
      Deleted: { Type: "Succeed" },
      DeleteFailed: {
        Type: "Fail",
        Error: "DeleteFailed",
        Cause: "the backup ended DELETE_FAILED; see its record",
      },
    },
  };
}

/** A restore's poll: the restore, the wait that led to it, what is known of the job's length. */
const RESTORE_POLL_INPUT = {
  "restoreId.$": "$.restoreId",
  "waitSeconds.$": "$.poll.nextWaitSeconds",
  "expectedSeconds.$": "$.poll.expectedSeconds",
};

/**
 * restore-backup: lease on the destination + vendor restore → wait/poll, when the plan
 * says → RESTORED | RESTORE_FAILED. The same conventions as create-backup: the start
 * takes the lease (one job per destination), the poll that sees the end settles the
 * record, retries are classified, and any failure is recorded on the restore.
 */
export function restoreBackupDefinition(arns: TaskArns) {
  const RESTORE_ID = { "restoreId.$": "$.restoreId" };
  return {
    Comment: "backup-warden: restore one backup and follow it to RESTORED or RESTORE_FAILED",
    StartAt: "StartRestore",
    States: {
      StartRestore: task(arns.startRestore, {
        Parameters: RESTORE_ID,
        ResultPath: "$.poll",
        Retry: VENDOR_CALL_RETRIES,
        Catch: CATCH_ALL("RecordRestoreFailure"),
        Next: "WaitForRestore",
      }),
      WaitForRestore: waitFor("PollRestore"),
      PollRestore: task(arns.pollRestore, {
        Parameters: RESTORE_POLL_INPUT,
        ResultPath: "$.poll",
        Retry: VENDOR_POLL_RETRIES,
        Catch: CATCH_ALL("RecordRestoreFailure"),
        Next: "RestoreOutcome",
      }),
      RestoreOutcome: {
        Type: "Choice",
        Choices: [
          { Variable: "$.poll.outcome", StringEquals: "RESTORED", Next: "Restored" },
          { Variable: "$.poll.outcome", StringEquals: "RESTORE_FAILED", Next: "RestoreFailed" },
        ],
        Default: "WaitForRestore",
      },
      RecordRestoreFailure: task(arns.recordRestoreFailure, {
        Parameters: { ...RESTORE_ID, "error.$": "$.error" },
        ResultPath: "$.recorded",
        Retry: RECORD_RETRIES,
        Next: "RecordedRestore",
      }),
      // A step failed after the restore had already been settled RESTORED: it stays so.
      RecordedRestore: {
        Type: "Choice",
        Choices: [{ Variable: "$.recorded.status", StringEquals: "RESTORED", Next: "Restored" }],
        Default: "RestoreFailed",
      },
      Restored: { Type: "Succeed" },
      RestoreFailed: {
        Type: "Fail",
        Error: "RestoreFailed",
        Cause: "the restore ended RESTORE_FAILED; see its record",
      },
    },
  };
}

/** The workflows by name, as the starter and the stacks refer to them. */
export const WORKFLOWS = {
  "create-backup": createBackupDefinition,
  "delete-backup": deleteBackupDefinition,
  "restore-backup": restoreBackupDefinition,
} as const;
export type WorkflowName = keyof typeof WORKFLOWS;

/** Which Task state runs which task, for local execution overrides. */
export function taskStates(
  definition: { States: Record<string, { Type: string; Resource?: unknown }> },
  arns: TaskArns,
) {
  const byArn = new Map(Object.entries(arns).map(([key, arn]) => [arn, key as TaskKey]));
  const states: Record<string, TaskKey> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type === "Task" && typeof state.Resource === "string") {
      const key = byArn.get(state.Resource);
      if (key) states[name] = key;
    }
  }
  return states;
}
