import { describe, expect, it } from "vitest";
import type { NotificationRouting } from "../../lib/core/policy.ts";
import { eventFromBackup, scheduleEvent } from "../../lib/notify/event-builders.ts";
import { CountingMetrics, MetricName } from "../../lib/notify/metrics.ts";
import type { SlackMessage } from "../../lib/notify/slack/limits.ts";
import { SlackNotifier, type SlackNotifierOptions } from "../../lib/notify/slack/notifier.ts";
import { SlackSendError, type WebhookSender } from "../../lib/notify/slack/sender.ts";
import { StaticSecretSource } from "../../lib/providers/secrets.ts";
import { availableRecord, deletedRecord, failedRecord } from "./fixtures.ts";

const URLS = {
  default: "https://hooks.slack.com/services/T/B/default-token",
  oncall: "https://hooks.slack.com/services/T/B/oncall-token",
  housekeeping: "https://hooks.slack.com/services/T/B/housekeeping-token",
};

/** A sender that records (webhook name, message) pairs, or fails as told. */
function recordingSender(fail?: Error) {
  const sent: Array<{ hook: string; message: SlackMessage }> = [];
  const byUrl = new Map(Object.entries(URLS).map(([name, url]) => [url, name]));
  const sender: WebhookSender = {
    async send(url, message) {
      if (fail) throw fail;
      sent.push({ hook: byUrl.get(url) ?? "unknown", message });
    },
  };
  return { sender, sent };
}

function setup(options: Partial<SlackNotifierOptions> & { fail?: Error } = {}) {
  const { sender, sent } = recordingSender(options.fail);
  const metrics = new CountingMetrics();
  const logs: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  const secrets = new StaticSecretSource({
    "slack/default": { url: URLS.default },
    "slack/oncall": { url: URLS.oncall },
    "slack/housekeeping": URLS.housekeeping,
  });
  const routing: Record<string, NotificationRouting> = {
    nightly: {
      failures: "slack/oncall",
      deletions: "slack/housekeeping",
      digest: "slack/housekeeping",
    },
  };
  const notifier = new SlackNotifier({
    sender,
    secrets,
    resolveRouting: ({ policyId }) => (policyId ? routing[policyId] : undefined),
    defaultWebhookRef: "slack/default",
    metrics,
    log: (level, message, fields) => logs.push({ level, message, fields }),
    ...options,
  });
  return { notifier, sent, metrics, logs };
}

describe("SlackNotifier", () => {
  it("sends a failure to the policy's failures webhook", async () => {
    const { notifier, sent, metrics } = setup();

    const outcome = await notifier.notify(eventFromBackup("backup.failed", failedRecord()));

    expect(outcome).toBe("sent");
    expect(sent.map((s) => s.hook)).toEqual(["oncall"]);
    expect(metrics.get(MetricName.notifySent, { type: "backup.failed" })).toBe(1);
  });

  it("sends a deletion to the policy's deletions webhook", async () => {
    const { notifier, sent } = setup();

    await notifier.notify(eventFromBackup("backup.deleted", deletedRecord()));

    expect(sent.map((s) => s.hook)).toEqual(["housekeeping"]);
  });

  it("uses the default webhook for a backup without a policy (an API backup)", async () => {
    const { notifier, sent } = setup();

    await notifier.notify(
      eventFromBackup("backup.failed", failedRecord({ policyId: undefined, trigger: "api" })),
    );

    expect(sent.map((s) => s.hook)).toEqual(["default"]);
  });

  it("routes missed and skipped runs as failures", async () => {
    const { notifier, sent } = setup();
    const slot = {
      policyId: "nightly",
      targetId: "orders-prod",
      scheduledAt: "2026-11-02T02:30:00.000Z",
      occurredAt: "2026-11-02T03:45:00.000Z",
    };

    await notifier.notify(scheduleEvent("schedule.missed", slot));
    await notifier.notify(scheduleEvent("schedule.skipped", { ...slot, reason: "still running" }));

    expect(sent.map((s) => s.hook)).toEqual(["oncall", "oncall"]);
  });

  it("sends nothing for created, nor for available or expiring unless asked", async () => {
    const { notifier, sent } = setup();
    const expiring = eventFromBackup("backup.expiring", availableRecord({ status: "EXPIRING" }), {
      reason: "keepLast=7",
    });

    const outcomes = [
      await notifier.notify(eventFromBackup("backup.created", failedRecord({ status: "PENDING" }))),
      await notifier.notify(eventFromBackup("backup.available", availableRecord())),
      await notifier.notify(expiring),
    ];
    const asked = await setup({ notifyExpiring: true }).notifier.notify(expiring);

    expect(outcomes).toEqual(["not-notified", "not-notified", "not-notified"]);
    expect(sent).toEqual([]);
    expect(asked).toBe("sent");
    const withSuccesses = setup({ resolveRouting: async () => ({ successes: "slack/oncall" }) });
    expect(
      await withSuccesses.notifier.notify(eventFromBackup("backup.available", availableRecord())),
    ).toBe("sent");
  });

  it("sends one message for an event delivered twice", async () => {
    const { notifier, sent, metrics } = setup();
    const event = eventFromBackup("backup.failed", failedRecord());

    const outcomes = await Promise.all([notifier.notify(event), notifier.notify(event)]);
    const later = await notifier.notify(JSON.parse(JSON.stringify(event)));

    expect(outcomes.sort()).toEqual(["duplicate", "sent"]);
    expect(later).toBe("duplicate");
    expect(sent).toHaveLength(1);
    expect(
      metrics.get(MetricName.notifySkipped, { reason: "duplicate", type: "backup.failed" }),
    ).toBe(2);
  });

  it("logs and counts a failed send, resolves, and lets a redelivery try again", async () => {
    const failing = setup({
      fail: new SlackSendError("Slack message not delivered: Slack answered 503", 503),
    });
    const event = eventFromBackup("backup.failed", failedRecord());

    const outcome = await failing.notifier.notify(event);

    expect(outcome).toBe("failed");
    expect(failing.metrics.get(MetricName.notifyFailed, { type: "backup.failed" })).toBe(1);
    expect(failing.logs).toEqual([
      {
        level: "error",
        message: "Slack notification failed",
        fields: expect.objectContaining({
          webhookRef: "slack/oncall",
          errorMessage: "Slack message not delivered: Slack answered 503",
        }),
      },
    ]);
    expect(await failing.notifier.notify(event)).toBe("failed"); // not "duplicate"
  });

  it("never logs a foreign error's message, which could quote the webhook URL", async () => {
    const failing = setup({ fail: new TypeError(`bad ${URLS.oncall}`) });

    await failing.notifier.notify(eventFromBackup("backup.failed", failedRecord()));

    expect(JSON.stringify(failing.logs)).not.toContain("oncall-token");
    expect(failing.logs[0]?.fields?.errorName).toBe("TypeError");
  });

  it.each([
    "https://hooks.slack.com.evil.example/services/T/B/x",
    "https://evil.example/services/T/B/x",
    "http://hooks.slack.com/services/T/B/x",
    "http://127.0.0.1:9/services/T/B/x",
  ])("refuses a webhook anywhere but https://hooks.slack.com: %s", async (url) => {
    const { notifier, sent, logs } = setup({
      secrets: new StaticSecretSource({ "slack/default": { url } }),
      resolveRouting: () => undefined,
    });

    const outcome = await notifier.notify(eventFromBackup("backup.failed", failedRecord()));

    expect(outcome).toBe("failed");
    expect(sent).toEqual([]);
    expect(JSON.stringify(logs)).not.toContain(url);
  });

  it("fails softly when the webhook secret is missing or malformed", async () => {
    const missing = setup({ defaultWebhookRef: "slack/nope", resolveRouting: () => undefined });
    const insecure = setup({
      secrets: new StaticSecretSource({ "slack/default": { url: "http://hooks.example.com/x" } }),
      resolveRouting: () => undefined,
    });

    const outcomes = [
      await missing.notifier.notify(eventFromBackup("backup.failed", failedRecord())),
      await insecure.notifier.notify(eventFromBackup("backup.failed", failedRecord())),
    ];

    expect(outcomes).toEqual(["failed", "failed"]);
    expect(insecure.logs[0]?.fields?.errorMessage).toBe(
      "secret slack/default is missing or has invalid fields: (whole secret)",
    );
  });

  it("reports an event with nowhere to go as unrouted", async () => {
    const { notifier, metrics } = setup({
      defaultWebhookRef: undefined,
      resolveRouting: () => undefined,
    });

    expect(await notifier.notify(eventFromBackup("backup.failed", failedRecord()))).toBe(
      "unrouted",
    );
    expect(
      metrics.get(MetricName.notifySkipped, { reason: "unrouted", type: "backup.failed" }),
    ).toBe(1);
  });

  it("rejects an invalid event on receipt without throwing", async () => {
    const { notifier, metrics, sent } = setup();

    expect(await notifier.notify({ type: "backup.failed", detail: { version: 1 } })).toBe(
      "invalid",
    );
    expect(metrics.get(MetricName.eventRejected)).toBe(1);
    expect(sent).toEqual([]);
  });

  it("survives a routing lookup that throws", async () => {
    const { notifier } = setup({
      resolveRouting: () => {
        throw new Error("table unavailable");
      },
    });

    expect(await notifier.notify(eventFromBackup("backup.failed", failedRecord()))).toBe("failed");
  });
});

describe("SlackNotifier.sendDigest", () => {
  const period = { from: "2026-11-01T00:00:00.000Z", to: "2026-11-02T00:00:00.000Z" };
  const row = (targetId: string, policyId?: string) => ({
    targetId,
    policyId,
    created: 1,
    failed: 0,
    deleted: 0,
    missed: 0,
  });

  it("sends one digest per digest webhook with the rows routed to it", async () => {
    const { notifier, sent } = setup();

    const outcomes = await notifier.sendDigest(
      [row("a", "nightly"), row("b"), row("c", "nightly")],
      period,
    );

    expect(outcomes).toEqual(["sent", "sent"]);
    expect(sent.map((s) => [s.hook, s.message.text])).toEqual([
      ["housekeeping", "Backup digest 2026-11-01: 2 created, 0 failed, 0 deleted, 0 missed"],
      ["default", "Backup digest 2026-11-01: 1 created, 0 failed, 0 deleted, 0 missed"],
    ]);
  });

  it("still sends a quiet digest to the default webhook when nothing happened", async () => {
    const { notifier, sent } = setup();

    await notifier.sendDigest([], period);

    expect(sent.map((s) => s.hook)).toEqual(["default"]);
  });
});
