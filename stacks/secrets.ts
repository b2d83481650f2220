import { regionalArn } from "./account.ts";

/**
 * Secrets live in Secrets Manager under two name prefixes per stage, created by an operator
 * (docs/deploy.md), never by this app, so no credential appears in configuration, code or
 * state:
 * - vendor credentials, e.g. `backup-warden/prod/providers/zilliz-main` (a target's
 *   `secretRef` is the part after the prefix), readable only by the functions that talk
 *   to vendors;
 * - Slack webhooks, e.g. `backup-warden/prod/webhooks/slack-webhook`, readable only by the
 *   notifier and the digest.
 */
export const PROVIDER_SECRET_PREFIX = `${$app.name}/${$app.stage}/providers/`;
export const WEBHOOK_SECRET_PREFIX = `${$app.name}/${$app.stage}/webhooks/`;

/**
 * The ARN pattern covering every secret under a prefix: Secrets Manager appends a random
 * 6-character suffix to each secret's ARN, hence the trailing `*`.
 */
export function secretArns(prefix: string) {
  return regionalArn("secretsmanager", `secret:${prefix}*`);
}

/**
 * Name (after the webhook prefix) of the default Slack incoming webhook:
 * `{"url": "https://hooks.slack.com/services/…"}`. Policies may name their own.
 */
export const SLACK_WEBHOOK_SECRET = "slack-webhook";
