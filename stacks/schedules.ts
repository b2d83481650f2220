import { LAUNCH_QUEUE } from "../lib/schedule/run-queue.ts";
import { RECONCILE_FUNCTION } from "./deployment.ts";
import { slackEnvironment } from "./events.ts";
import { failureQueue, wardenFunction } from "./functions.ts";
import { launchQueue } from "./queues.ts";

/**
 * Ticks that failed after Lambda's own retries (the tick is invoked asynchronously by
 * EventBridge): a message here means a minute whose due backups were not started by it.
 * The next tick retries due policies anyway.
 */
export const dispatchFailures = failureQueue("DispatchFailures");

/** Every minute: claim the due runs and hand them to the launch queue. */
export const dispatcher = wardenFunction("Dispatcher", "dispatch", {
  description: "backup-warden: claim the backups that are due",
  servicePermissions: [{ actions: ["sqs:SendMessage"], resources: [dispatchFailures.arn] }],
  timeout: "50 seconds",
  memory: "512 MB",
  retries: 2,
  onFailure: dispatchFailures.arn,
});

/**
 * The launch queue's consumer: each claimed run gets its lease, its record and its
 * workflow. A failed message is delivered again (ReportBatchItemFailures: only it), and
 * goes to the dead-letter queue after five tries; at most `maximumConcurrency` batches
 * run at once. Lambda itself reads and deletes the queue's messages with the role.
 */
export const launcher = wardenFunction("Launcher", "launch-run", {
  description: "backup-warden: launch the claimed schedule runs",
  servicePermissions: [
    {
      actions: [
        "sqs:ChangeMessageVisibility",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:ReceiveMessage",
      ],
      resources: [launchQueue.arn],
    },
  ],
  timeout: `${LAUNCH_QUEUE.consumerTimeoutSeconds} seconds`,
  memory: "512 MB",
});

launchQueue.subscribe(launcher.arn, {
  batch: { size: LAUNCH_QUEUE.batchSize, partialResponses: true },
  transform: {
    eventSourceMapping: (args) => {
      args.scalingConfig = { maximumConcurrency: LAUNCH_QUEUE.maximumConcurrency };
    },
  },
});

/**
 * SST's Cron sends a constant input (`{}`) by default; functions built with `withSchedule`
 * read the scheduled event's envelope, so their targets pass the event itself.
 */
const scheduledEventInput: sst.aws.CronArgs["transform"] = {
  target: (args) => {
    args.input = undefined;
  },
};

new sst.aws.Cron("DispatchTick", {
  schedule: "rate(1 minute)",
  function: dispatcher.arn,
  transform: scheduledEventInput,
});

/** Every 15 minutes: due markers (TTL lag), re-plans, DELETE_FAILED retries, stuck runs. */
export const sweeper = wardenFunction("Sweeper", "sweep", {
  description: "backup-warden: expiry and recovery sweep",
  timeout: "5 minutes",
  memory: "512 MB",
});

new sst.aws.Cron("SweepTick", {
  schedule: "rate(15 minutes)",
  function: sweeper.arn,
  transform: scheduledEventInput,
});

/**
 * Hourly: every target's vendor backups against the catalogue (orphans, unmanaged
 * backups, vanished ones). Its fixed name lets the API's role name it before it exists.
 * SST's Cron sends `{}`: no target, so all of them.
 */
export const reconcileFunction = wardenFunction("Reconcile", "reconcile", {
  description: "backup-warden: vendor backups against the catalogue",
  name: RECONCILE_FUNCTION,
  timeout: "15 minutes",
  memory: "512 MB",
});

new sst.aws.Cron("ReconcileTick", { schedule: "rate(1 hour)", function: reconcileFunction.arn });

/** Daily at 08:00 UTC: the Slack digest of the previous 24 hours. */
export const slackDigest = wardenFunction("SlackDigest", "slack-digest", {
  description: "backup-warden: daily Slack digest",
  environment: slackEnvironment,
  timeout: "1 minute",
  memory: "512 MB",
});

new sst.aws.Cron("SlackDigestTick", {
  schedule: "cron(0 8 * * ? *)",
  function: slackDigest.arn,
  // The digest reads the scheduled event's envelope too: its `time` ends the period.
  transform: scheduledEventInput,
});
