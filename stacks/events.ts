import { EVENT_SOURCE } from "../lib/notify/events.ts";
import { OUTBOX_STREAM_FILTER } from "../lib/store/outbox.ts";
import { bus } from "./bus.ts";
import { failureQueue, wardenFunction } from "./functions.ts";
import { SLACK_WEBHOOK_SECRET } from "./secrets.ts";
import { streamSubscriber } from "./streams.ts";

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

/** Only items that hold unpublished domain events reach the outbox publisher. */
export const OUTBOX_FILTER = OUTBOX_STREAM_FILTER;

/**
 * The transactional outbox's publisher (lib/store/outbox.ts), the table's second stream
 * reader, filtered to items with pending events. Records still failing after the retries
 * land in OutboxFailures; the sweeper publishes them within 15 minutes anyway.
 */
export const { fn: outboxFunction, failures: outboxFailures } = streamSubscriber(
  "PublishOutbox",
  "publish-outbox",
  {
    description: "backup-warden: domain events from the outbox to the bus",
    filter: OUTBOX_FILTER,
    subscription: "Outbox",
    failures: "OutboxFailures",
  },
);
