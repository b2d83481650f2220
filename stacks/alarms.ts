import { METRICS_NAMESPACE, MetricName, SERVICE_NAME } from "../lib/notify/metrics.ts";
import { outboxFailures, slackFailures, slackNotifier } from "./events.ts";
import { expiryFailures } from "./expiry.ts";
import { pascalCase } from "./functions.ts";
import { launchFailures, launchQueue } from "./queues.ts";
import { dispatchFailures } from "./schedules.ts";
import { stateMachines } from "./workflows.ts";

/**
 * Where alarms go: subscribe on-call e-mail or a chat integration to this topic after
 * deploying (docs/deploy.md). Backup failures themselves reach Slack through the bus;
 * these alarms catch what the bus cannot: the machinery itself failing.
 */
export const alarmTopic = new sst.aws.SnsTopic("Alarms");

/** One alarm: any datapoint ≥ `threshold` (default 1) in a 5-minute period alarms; no data is fine. */
function alarm(
  name: string,
  description: string,
  metric: {
    namespace: string;
    metricName: string;
    dimensions?: Record<string, $util.Input<string>>;
    threshold?: number;
  },
) {
  return new aws.cloudwatch.MetricAlarm(name, {
    alarmDescription: `backup-warden: ${description}`,
    namespace: metric.namespace,
    metricName: metric.metricName,
    ...(metric.dimensions ? { dimensions: metric.dimensions } : {}),
    statistic: metric.namespace === "AWS/SQS" ? "Maximum" : "Sum",
    period: 300,
    evaluationPeriods: 1,
    threshold: metric.threshold ?? 1,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    treatMissingData: "notBreaching",
    alarmActions: [alarmTopic.arn],
    okActions: [alarmTopic.arn],
  });
}

// Failed and timed-out executions of every workflow (a FAILED backup fails its execution).
for (const [workflow, machine] of Object.entries(stateMachines)) {
  const id = pascalCase(workflow);
  for (const metricName of ["ExecutionsFailed", "ExecutionsTimedOut"]) {
    alarm(`${id}${metricName}Alarm`, `${workflow} ${metricName}`, {
      namespace: "AWS/States",
      metricName,
      dimensions: { StateMachineArn: machine.arn },
    });
  }
}

// Messages waiting in a dead-letter queue: work that failed for good.
for (const [id, queue] of Object.entries({
  DispatchFailures: dispatchFailures,
  LaunchFailures: launchFailures,
  ExpiryFailures: expiryFailures,
  SlackFailures: slackFailures,
  OutboxFailures: outboxFailures,
})) {
  alarm(`${id}DepthAlarm`, `messages in the ${id} dead-letter queue`, {
    namespace: "AWS/SQS",
    metricName: "ApproximateNumberOfMessagesVisible",
    dimensions: { QueueName: queue.nodes.queue.name },
  });
}

// The launch queue holds claimed runs for seconds; ten minutes means the launchers are
// down or starved, and the runs it holds will miss their start windows.
alarm("LaunchQueueAgeAlarm", "claimed schedule runs waiting over ten minutes to launch", {
  namespace: "AWS/SQS",
  metricName: "ApproximateAgeOfOldestMessage",
  dimensions: { QueueName: launchQueue.nodes.queue.name },
  threshold: 600,
});

// The notifier: its own errors, and notifications it could not deliver (counted by it).
alarm("SlackNotifierErrorsAlarm", "the Slack notifier function failed", {
  namespace: "AWS/Lambda",
  metricName: "Errors",
  dimensions: { FunctionName: slackNotifier.name },
});
// Our EMF metrics always carry the `service` dimension (functions/metrics.ts): the total
// without it does not exist, so the alarm watches the service's series.
alarm("SlackNotificationFailedAlarm", "Slack notifications could not be delivered", {
  namespace: METRICS_NAMESPACE,
  metricName: MetricName.notifyFailed,
  dimensions: { service: SERVICE_NAME },
});

// Backups that quietly stopped: the sweeper counts the targets out of their freshness
// objective on every pass (lib/usecases/compliance.ts); Slack hears of each breach once,
// and this keeps alarming while any remains.
alarm("FreshnessBreachedAlarm", "targets out of their freshness objective (RPO)", {
  namespace: METRICS_NAMESPACE,
  metricName: MetricName.freshnessBreached,
  dimensions: { service: SERVICE_NAME },
});
