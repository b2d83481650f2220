import { afterEach, describe, expect, it } from "vitest";
import { eventFromBackup } from "../../lib/notify/event-builders.ts";
import { messageFor } from "../../lib/notify/slack/messages.ts";
import { SlackSender } from "../../lib/notify/slack/sender.ts";
import { type SlackSink, startSlackSink } from "../../sandbox/slack-sink.ts";
import { failedRecord, fakeTime } from "../notify/fixtures.ts";
import { sandboxAdmin } from "../support/sandbox-admin.ts";

const sinks: SlackSink[] = [];
async function start(options: Parameters<typeof startSlackSink>[0] = {}): Promise<SlackSink> {
  const sink = await startSlackSink(options);
  sinks.push(sink);
  return sink;
}

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((sink) => sink.close()));
});

async function post(url: string, body: unknown) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    retryAfter: response.headers.get("retry-after"),
    text: await response.text(),
  };
}

describe("Slack sink", () => {
  it("answers a webhook post like Slack, records it and summarises it in one line", async () => {
    const lines: string[] = [];
    const sink = await start({
      onMessage: (line) => lines.push(line),
      now: () => Date.parse("2026-11-02T03:00:00Z"),
    });
    const payload = { text: "Backup failed: orders-prod\nmore", blocks: [{ type: "divider" }] };

    const answer = await post(sink.webhookUrl("T000/B000/failures"), payload);
    const listed = await (await fetch(`${sink.url}/sandbox/slack/messages`)).json();

    expect(answer).toMatchObject({
      status: 200,
      text: "ok",
      type: expect.stringContaining("text/plain"),
    });
    expect(lines).toEqual(["slack T000/B000/failures: Backup failed: orders-prod"]);
    expect(listed).toEqual({
      messages: [
        {
          webhook: "T000/B000/failures",
          receivedAt: "2026-11-02T03:00:00.000Z",
          payload,
          summary: "slack T000/B000/failures: Backup failed: orders-prod",
        },
      ],
    });
  });

  it("refuses what Slack refuses, and records none of it", async () => {
    const sink = await start();
    const hook = sink.webhookUrl("x");

    const answers = [
      await post(hook, "{not json"),
      await post(hook, { blocks: [] }),
      await post(hook, {
        text: "t",
        blocks: [{ type: "header", text: { type: "plain_text", text: "h".repeat(151) } }],
      }),
      await post(hook, {
        text: "t",
        blocks: Array.from({ length: 51 }, () => ({ type: "divider" })),
      }),
      await post(`${sink.url}/hooks/x`, { text: "t" }),
    ];

    expect(answers.map((a) => `${a.status} ${a.text}`)).toEqual([
      "400 invalid_payload",
      "400 no_text",
      "400 invalid_blocks",
      "400 invalid_blocks",
      "404 no_service",
    ]);
    expect(sink.messages).toEqual([]);
  });

  it("throttles the next posts with 429 and Retry-After when told to", async () => {
    const sink = await start();

    sink.throttleNext(1, 2);
    const throttled = await post(sink.webhookUrl("x"), { text: "a" });
    const next = await post(sink.webhookUrl("x"), { text: "b" });

    expect(throttled).toMatchObject({ status: 429, retryAfter: "2", text: "rate_limited" });
    expect(next.status).toBe(200);
    expect(sink.messages.map((m) => (m.payload as { text: string }).text)).toEqual(["b"]);
  });

  it("takes faults over HTTP and clears its messages on DELETE", async () => {
    const sink = await start();
    await post(sink.webhookUrl("x"), { text: "a" });

    const fault = await sandboxAdmin(sink, "POST", "/__sandbox/faults", {
      kind: "status",
      status: 503,
      match: { method: "POST", path: "/services/**" },
    });
    const failed = await post(sink.webhookUrl("x"), { text: "b" });
    const cleared = await (
      await fetch(`${sink.url}/sandbox/slack/messages`, { method: "DELETE" })
    ).json();

    expect(fault.status).toBe(201);
    expect(failed.status).toBe(503);
    expect(cleared).toEqual({ cleared: 1 });
    expect(sink.messages).toEqual([]);
  });
});

describe("SlackSender against the sink", () => {
  it("gets a 429, waits Retry-After, and delivers exactly once", async () => {
    const sink = await start();
    const time = fakeTime();
    const sender = new SlackSender({ clock: time, sleep: time.sleep });
    sink.throttleNext(1, 1);

    await sender.send(sink.webhookUrl("T/B/oncall"), { text: "hello", blocks: [] });

    expect(sink.requests.map((r) => r.status)).toEqual([429, 200]);
    expect(time.sleeps).toEqual([1_000]);
    expect(sink.messages).toHaveLength(1);
  });

  it("delivers an oversized failure message trimmed, where Slack would have refused it", async () => {
    const sink = await start();
    const time = fakeTime();
    const sender = new SlackSender({ clock: time, sleep: time.sleep });
    const record = failedRecord({
      lastError: {
        code: "E",
        class: "UNKNOWN",
        message: "stack ".repeat(5_000),
        at: "2026-11-02T02:34:17.000Z",
      },
    });
    const message = messageFor(
      eventFromBackup("backup.failed", record, { targetName: "T".repeat(400) }),
    )!;

    await sender.send(sink.webhookUrl("T/B/oncall"), message);

    expect(sink.requests.map((r) => r.status)).toEqual([200]);
    expect(sink.messages).toHaveLength(1);
  });
});
