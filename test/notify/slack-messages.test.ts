import { describe, expect, it } from "vitest";
import { eventFromBackup, scheduleEvent } from "../../lib/notify/event-builders.ts";
import {
  enforceLimits,
  SLACK_LIMITS,
  type SlackMessage,
  trimText,
} from "../../lib/notify/slack/limits.ts";
import { messageFor } from "../../lib/notify/slack/messages.ts";
import { availableRecord, deletedRecord, failedRecord } from "./fixtures.ts";

/** All the text of a message, to search it like a reader would. */
function allText(message: SlackMessage): string {
  const parts = [message.text];
  for (const block of message.blocks) {
    if (block.type === "header") parts.push(block.text.text);
    if (block.type === "section")
      parts.push(block.text?.text ?? "", ...(block.fields ?? []).map((f) => f.text));
    if (block.type === "context") parts.push(...block.elements.map((e) => e.text));
  }
  return parts.join("\n");
}

/** A reader finds each snippet in the text (a missing one is named in the failure). */
function expectMentions(text: string, snippets: string[]): void {
  for (const snippet of snippets) expect(text).toContain(snippet);
}

/** Every limit of `limits.ts`, checked independently of the trimming code. */
function limitViolations(message: SlackMessage): string[] {
  const problems: string[] = [];
  if (message.blocks.length > 50) problems.push("blocks");
  if (message.text.length > 4000) problems.push("text");
  for (const block of message.blocks) {
    if (block.type === "header" && block.text.text.length > 150) problems.push("header");
    if (block.type === "section") {
      if ((block.text?.text.length ?? 0) > 3000) problems.push("section");
      if ((block.fields?.length ?? 0) > 10) problems.push("fields");
      if (block.fields?.some((f) => f.text.length > 2000)) problems.push("field");
    }
    if (block.type === "context" && block.elements.length > 10) problems.push("context");
  }
  return problems;
}

describe("messageFor: backup.failed", () => {
  const message = messageFor(
    eventFromBackup("backup.failed", failedRecord(), { targetName: "Orders (prod)" }),
  )!;

  it("says what failed, where, and why, with the ids to search for", () => {
    const text = allText(message);

    expect(message.blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: ":x: Backup failed: Orders (prod)", emoji: true },
    });
    expectMentions(text, [
      "*Target*\nOrders (prod) (`orders-prod`)",
      "*Vendor*\nZilliz Cloud",
      "*Status*\n`FAILED` (vendor: `FAILED`)",
      "*Duration*\n4m 12s",
      "*Backup id*\n`bk_01jd3failed0000000000000000`",
      "*Vendor backup id*\n`backup-7f3a`",
      "*Error* `ProviderQuota` · class `QUOTA`",
      "insufficient storage quota for backup",
    ]);
  });

  it("tells the reader what happens next, with a hint for the error class", () => {
    const next = message.blocks.at(-1);

    expect(next?.type).toBe("context");
    expect(allText({ text: "", blocks: [next!] })).toContain(
      "*What happens next:* The vendor reports a quota or capacity limit",
    );
  });

  it("puts the vendor's reason in the notification text too", () => {
    expect(message.text).toBe(
      ":x: Backup failed: Orders (prod) on Zilliz Cloud (bk_01jd3failed0000000000000000) — QUOTA: insufficient storage quota for backup",
    );
  });

  it("escapes vendor text so it cannot ping the channel or forge links", () => {
    const record = failedRecord({
      lastError: {
        code: "E",
        class: "UNKNOWN",
        message: "<!channel> see <http://evil|docs> & ```x```",
        at: "2026-11-02T02:34:17.000Z",
      },
    });

    const text = allText(messageFor(eventFromBackup("backup.failed", record))!);

    expect(text).not.toContain("<!channel>");
    expect(text).toContain("&lt;!channel&gt; see &lt;http://evil|docs&gt; &amp; '''x'''");
  });
});

describe("messageFor: other events", () => {
  it("has no message for a created backup (it only counts in the digest)", () => {
    expect(
      messageFor(eventFromBackup("backup.created", failedRecord({ status: "CREATING" }))),
    ).toBeUndefined();
  });

  it("has a message for an available backup, for policies that route successes", () => {
    const text = allText(messageFor(eventFromBackup("backup.available", availableRecord()))!);
    expect(text).toContain("Backup available");
  });

  it("reports a deletion with its reason, size and how long it took", () => {
    const text = allText(messageFor(eventFromBackup("backup.deleted", deletedRecord()))!);

    expectMentions(text, [
      "Backup deleted: orders-prod",
      "*Reason*\nretention: keepDaily=7",
      "*Size*\n1.50 GiB",
      "*Delete took*\n1m 30s",
    ]);
  });

  it("tells the reader the sweeper retries a failed delete every 15 minutes", () => {
    const record = deletedRecord({
      status: "DELETE_FAILED",
      lastError: {
        code: "ProviderTransient",
        class: "TRANSIENT",
        message: "503 from vendor",
        at: "2026-11-09T03:01:30.000Z",
      },
    });

    const text = allText(messageFor(eventFromBackup("backup.delete_failed", record))!);

    expect(text).toContain("The sweeper retries the delete every 15 minutes");
    expect(text).toContain("503 from vendor");
  });

  it("reports a missed run with its policy, slot and start window", () => {
    const event = scheduleEvent("schedule.missed", {
      policyId: "nightly",
      targetId: "orders-prod",
      provider: "pinecone",
      scheduledAt: "2026-11-02T02:30:00.000Z",
      occurredAt: "2026-11-02T03:45:00.000Z",
      windowMinutes: 60,
    });

    const text = allText(messageFor(event)!);

    expectMentions(text, [
      "Scheduled backup missed: orders-prod",
      "*Policy*\n`nightly`",
      "*Vendor*\nPinecone",
      "*Start window*\n60 min",
      "<!date^1793586600^{date_short_pretty} {time}|2026-11-02 02:30 UTC>",
    ]);
  });
});

describe("Slack limits", () => {
  it("trims a message that would exceed every limit instead of rejecting it", () => {
    const record = failedRecord({
      lastError: {
        code: "E".repeat(500),
        class: "UNKNOWN",
        message: "x".repeat(20_000),
        at: "2026-11-02T02:34:17.000Z",
      },
    });
    const event = eventFromBackup("backup.failed", record, { targetName: "T".repeat(200) });

    const message = messageFor(event)!;

    expect(limitViolations(message)).toEqual([]);
    const header = message.blocks[0];
    expect(header?.type === "header" && header.text.text).toHaveLength(150);
    expect(header?.type === "header" && header.text.text.endsWith("…")).toBe(true);
  });

  it("keeps at most 50 blocks and says how many were left out", () => {
    const blocks = Array.from({ length: 70 }, () => ({ type: "divider" as const }));

    const trimmed = enforceLimits({ text: "t", blocks });

    expect(trimmed.blocks).toHaveLength(50);
    expect(trimmed.blocks.at(-1)).toEqual({
      type: "context",
      elements: [{ type: "mrkdwn", text: "_21 more blocks omitted (Slack shows at most 50)_" }],
    });
  });

  it("drops surplus fields and context elements and fills empty text", () => {
    const fields = Array.from({ length: 14 }, (_, i) => ({
      type: "mrkdwn" as const,
      text: `f${i}`,
    }));
    const elements = Array.from({ length: 12 }, () => ({ type: "mrkdwn" as const, text: "" }));

    const trimmed = enforceLimits({
      text: "",
      blocks: [
        { type: "section", fields },
        { type: "context", elements },
      ],
    });

    expect(trimmed.text).toBe("—");
    expect(trimmed.blocks[0]?.type === "section" && trimmed.blocks[0].fields).toHaveLength(
      SLACK_LIMITS.fields,
    );
    expect(trimmed.blocks[1]?.type === "context" && trimmed.blocks[1].elements).toHaveLength(10);
  });

  it("never cuts an emoji in half or leaves half an escaped entity", () => {
    expect(trimText("ab😀cd", 4)).toBe("ab…");
    expect(trimText("abc &amp; more", 7)).toBe("abc …");
    expect(trimText("short", 10)).toBe("short");
  });
});
