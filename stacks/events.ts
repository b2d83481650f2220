import { EVENT_SOURCE } from "../lib/notify/events.ts";
import { failureQueue, wardenFunction } from "./functions.ts";
import { providerSecrets } from "./secrets.ts";
import { tableAccess } from "./storage.ts";
import { workflowArns } from "./workflow-arns.ts";

/**
 * Name (after the stage's secret prefix) of the default Slack incoming webhook:
 * `{"url": "https://hooks.slack.com/services/…"}`. Policies may name their own.
 */
export const SLACK_WEBHOOK_SECRET = "slack-webhook";

/** Domain events (`backup.*`, `drift.detected`, lib/notify/events.ts). */
export const bus = new sst.aws.Bus("Events");

/** What a function links to publish domain events: `WARDEN_EVENT_BUS` and PutEvents on this bus. */
export const publishEvents = new sst.Linkable("PublishEvents", {
  properties: { name: bus.name },
  include: [
    sst.aws.permission({ actions: ["events:PutEvents"], resources: [bus.arn] }),
    sst.env({ WARDEN_EVENT_BUS: bus.name }),
  ],
});

/** Slack reads its webhook from Secrets Manager and routing from the policies in the table. */
export const slackAccess = [tableAccess, providerSecrets, workflowArns];
export const slackEnvironment = { WARDEN_SLACK_WEBHOOK_SECRET: SLACK_WEBHOOK_SECRET };

/** Events the notifier could not handle after its retries (malformed, or a crash). */
export const slackFailures = failureQueue("SlackFailures");

/**
 * One Slack message per event worth a human's attention. The notifier never throws, so a
 * Slack outage neither retries nor fails anything upstream.
 */
export const slackNotifier = wardenFunction("SlackNotifier", "notify-slack", {
  description: "backup-warden: domain events to Slack",
  link: slackAccess,
  environment: slackEnvironment,
  permissions: [{ actions: ["sqs:SendMessage"], resources: [slackFailures.arn] }],
  timeout: "30 seconds",
  memory: "512 MB",
  // EventBridge invokes asynchronously: Lambda retries twice, then the event lands in the DLQ.
  retries: 2,
  onFailure: slackFailures.arn,
});

bus.subscribe("Slack", slackNotifier.arn, { pattern: { source: [EVENT_SOURCE] } });
