import type { Context } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { installNotifier } from "../../functions/event-middleware.ts";
import { handler as notifySlack } from "../../functions/handlers/notify-slack.ts";
import { handler as slackDigest } from "../../functions/handlers/slack-digest.ts";
import { eventFromBackup } from "../../lib/notify/event-builders.ts";
import type { DigestPeriod } from "../../lib/notify/slack/digest.ts";
import type { SlackMessage } from "../../lib/notify/slack/limits.ts";
import { SlackNotifier } from "../../lib/notify/slack/notifier.ts";
import { StaticSecretSource } from "../../lib/providers/secrets.ts";
import { failedRecord } from "./fixtures.ts";

const context = { awsRequestId: "req-1", functionName: "notify-slack" } as Context;

/** The envelope EventBridge hands a rule target. */
function eventBridgeEvent(detailType: string, detail: unknown, source = "backup-warden") {
  return {
    version: "0",
    id: "0d4c2b9a-7b1e-4c0f-9e7e-1b2c3d4e5f60",
    "detail-type": detailType,
    source,
    account: "123456789012",
    time: "2026-11-03T06:00:00Z",
    region: "eu-central-1",
    resources:
      source === "aws.events"
        ? ["arn:aws:events:eu-central-1:123456789012:rule/warden-digest"]
        : [],
    detail,
  };
}

let sent: SlackMessage[];
let periods: DigestPeriod[];

beforeEach(() => {
  sent = [];
  periods = [];
  vi.spyOn(console, "error").mockImplementation(() => {});
  installNotifier({
    notifier: new SlackNotifier({
      sender: { send: async (_url, message) => void sent.push(message) },
      secrets: new StaticSecretSource({
        "slack/default": { url: "https://hooks.slack.com/services/T/B/x" },
      }),
      defaultWebhookRef: "slack/default",
    }),
    digestRows: async (period) => {
      periods.push(period);
      return [{ targetId: "orders-prod", created: 2, failed: 1, deleted: 0, missed: 0 }];
    },
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("notify-slack handler", () => {
  it("turns a backup.failed event from the bus into one Slack message", async () => {
    const event = eventFromBackup("backup.failed", failedRecord());

    const result = await notifySlack(eventBridgeEvent(event.type, event.detail), context);

    expect(result).toEqual({ outcome: "sent" });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.text).toContain("insufficient storage quota for backup");
  });

  it("rejects an event that is not EventBridge-shaped (it goes to the dead-letter queue)", async () => {
    await expect(notifySlack({ detail: {} }, context)).rejects.toThrow("invalid EventBridge event");
    expect(sent).toEqual([]);
  });

  it("rejects a detail outside the catalogue", async () => {
    await expect(
      notifySlack(eventBridgeEvent("backup.failed", { version: 9 }), context),
    ).rejects.toThrow("invalid EventBridge event");
  });
});

describe("slack-digest handler", () => {
  it("sends the digest of the 24 hours before the schedule fired", async () => {
    const result = await slackDigest(
      eventBridgeEvent("Scheduled Event", {}, "aws.events"),
      context,
    );

    expect(periods).toEqual([{ from: "2026-11-02T06:00:00.000Z", to: "2026-11-03T06:00:00.000Z" }]);
    expect(result).toEqual({ outcomes: ["sent"] });
    expect(sent[0]?.text).toBe(
      "Backup digest 2026-11-02: 2 created, 1 failed, 0 deleted, 0 missed",
    );
  });
});
