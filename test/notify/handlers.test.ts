import { beforeEach, describe, expect, it } from "vitest";
import { eventFromBackup } from "../../lib/notify/event-builders.ts";
import { useHarness } from "../support/use-harness.ts";
import { availableRecord, failedRecord } from "./fixtures.ts";

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

// The notifier and the digest as deployed: their own functions, webhooks read through their
// own (webhook-only) secret access, messages posted to a webhook sink over HTTP.
const h = useHarness({ slack: true });

beforeEach(() => {
  h.sink!.messages.length = 0;
});

describe("notify-slack handler", () => {
  it("turns a backup.failed event from the bus into one Slack message", async () => {
    const event = eventFromBackup("backup.failed", failedRecord());

    const result = await h.invoke("notify-slack", eventBridgeEvent(event.type, event.detail));

    expect(result).toEqual({ outcome: "sent" });
    expect(h.sink!.messages).toHaveLength(1);
    expect(h.sink!.messages[0]?.summary).toContain("insufficient storage quota for backup");
  });

  it("rejects an event that is not EventBridge-shaped (it goes to the dead-letter queue)", async () => {
    await expect(h.invoke("notify-slack", { detail: {} })).rejects.toThrow(
      "invalid EventBridge event",
    );
    expect(h.sink!.messages).toEqual([]);
  });

  it("rejects a detail outside the catalogue", async () => {
    await expect(
      h.invoke("notify-slack", eventBridgeEvent("backup.failed", { version: 9 })),
    ).rejects.toThrow("invalid EventBridge event");
  });
});

describe("slack-digest handler", () => {
  it("sends the digest of the 24 hours before the schedule fired", async () => {
    // The period is the 24 hours before the schedule fired: 2026-11-02T06:00 to 11-03T06:00.
    await h.container.backups.create(
      failedRecord({
        createdAt: "2026-11-02T12:00:00.000Z",
        startedAt: "2026-11-02T12:00:00.000Z",
        completedAt: "2026-11-02T12:05:00.000Z",
        updatedAt: "2026-11-02T12:05:00.000Z",
      }),
    );
    await h.container.backups.create(availableRecord({ createdAt: "2026-11-02T13:00:00.000Z" }));
    // Outside the period: created the day before it starts.
    await h.container.backups.create(
      availableRecord({
        id: "bk_01jd3older000000000000000000",
        targetId: "orders-prod",
        createdAt: "2026-11-01T03:00:00.000Z",
      }),
    );

    const result = await h.invoke(
      "slack-digest",
      eventBridgeEvent("Scheduled Event", {}, "aws.events"),
    );

    expect(result).toEqual({ outcomes: ["sent"] });
    expect(h.sink!.messages.map((m) => m.summary)).toEqual([
      expect.stringContaining("Backup digest 2026-11-02: 2 created, 1 failed, 0 deleted, 0 missed"),
    ]);
  });
});
