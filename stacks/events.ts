import { EVENT_SOURCE } from "../lib/notify/events.ts";
import { bus } from "./bus.ts";
import { failureQueue, wardenFunction } from "./functions.ts";
import { SLACK_WEBHOOK_SECRET } from "./secrets.ts";

/** Slack's default webhook; routing comes from the policies in the table. */
export const slackEnvironment = { WARDEN_SLACK_WEBHOOK_SECRET: SLACK_WEBHOOK_SECRET };

/** Events the notifier could not handle after its retries (malformed, or a crash). */
export const slackFailures = failureQueue("SlackFailures");

/**
 * One Slack message per event worth a human's attention. The notifier never throws, so a
 * Slack outage neither retries nor fails anything upstream.
 */
export const slackNotifier = wardenFunction("SlackNotifier", "notify-slack", {
  description: "backup-warden: domain events to Slack",
  environment: slackEnvironment,
  servicePermissions: [{ actions: ["sqs:SendMessage"], resources: [slackFailures.arn] }],
  timeout: "30 seconds",
  memory: "512 MB",
  // EventBridge invokes asynchronously: Lambda retries twice, then the event lands in the DLQ.
  retries: 2,
  onFailure: slackFailures.arn,
});

bus.subscribe("Slack", slackNotifier.arn, { pattern: { source: [EVENT_SOURCE] } });
