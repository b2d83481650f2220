import { LAUNCH_QUEUE } from "../lib/schedule/run-queue.ts";

/** SQS's longest retention: failures wait two weeks for someone to look. */
const FOURTEEN_DAYS = 14 * 24 * 60 * 60;

/** A queue collecting invocations that failed for good (a dead-letter queue). */
export function failureQueue(name: string) {
  return new sst.aws.Queue(name, {
    transform: { queue: { messageRetentionSeconds: FOURTEEN_DAYS } },
  });
}

/** Launch messages that failed five times: runs that stayed CLAIMED (an alarm watches it). */
export const launchFailures = failureQueue("LaunchFailures");

/**
 * The launch queue: the dispatcher's claimed runs, one message each, consumed by the
 * launch-run function (stacks/schedules.ts). Its visibility timeout is six times the
 * consumer's timeout, as AWS advises for Lambda event sources; a message that failed
 * `maxReceiveCount` times goes to {@link launchFailures}. Here, not with its consumer,
 * because the deployment (stacks/deployment.ts) names it before any function exists.
 */
export const launchQueue = new sst.aws.Queue("LaunchQueue", {
  visibilityTimeout: `${LAUNCH_QUEUE.visibilityTimeoutSeconds} seconds`,
  dlq: { queue: launchFailures.arn, retry: LAUNCH_QUEUE.maxReceiveCount },
});
