export {
  buildDigest,
  type DigestPeriod,
  type DigestRow,
  DigestTally,
  digestRowsFromRecords,
} from "./digest.ts";
export {
  type BackupLister,
  type DigestStoreOptions,
  digestRowsFromStore,
} from "./digest-source.ts";
export { escapeMrkdwn, humanBytes, humanDuration, vendorLabel } from "./format.ts";
export {
  enforceLimits,
  SLACK_LIMITS,
  type SlackBlock,
  type SlackMessage,
  trimText,
} from "./limits.ts";
export { messageFor } from "./messages.ts";
export {
  type NotifyLog,
  type NotifyOutcome,
  ROUTE_OF,
  type RoutingSubject,
  SLACK_WEBHOOK_HOST,
  SlackNotifier,
  type SlackNotifierOptions,
  webhookSecret,
} from "./notifier.ts";
export {
  SlackSendError,
  SlackSender,
  type SlackSenderOptions,
  type WebhookSender,
} from "./sender.ts";
