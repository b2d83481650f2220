import { describe, expect, it } from "vitest";
import type { SlackMessage } from "../../lib/notify/slack/limits.ts";
import {
  SlackSendError,
  SlackSender,
  type SlackSenderOptions,
} from "../../lib/notify/slack/sender.ts";
import { rejectionOf } from "../support/rejections.ts";
import { fakeTime } from "./fixtures.ts";

const HOOK_A = "https://hooks.slack.com/services/T000/B000/secret-token-a";
const HOOK_B = "https://hooks.slack.com/services/T000/B000/secret-token-b";
const hello: SlackMessage = { text: "hello", blocks: [] };

type Reply = { status: number; body?: string; headers?: Record<string, string> } | Error;

/** A fetch that answers from a script and records when (on the fake clock) each post came. */
function scriptedFetch(time: ReturnType<typeof fakeTime>, replies: Reply[] = []) {
  const posts: Array<{ url: string; at: number; body: unknown }> = [];
  const fetch = (async (url: string | URL | Request, init?: RequestInit) => {
    posts.push({
      url: String(url),
      at: time.now().getTime(),
      body: JSON.parse(String(init?.body)),
    });
    const reply = replies.shift() ?? { status: 200, body: "ok" };
    if (reply instanceof Error) throw reply;
    return new Response(reply.body ?? "", { status: reply.status, headers: reply.headers });
  }) as typeof globalThis.fetch;
  return { fetch, posts };
}

/**
 * A sender on a fake clock (its waits recorded, not slept) posting to a scripted Slack:
 * `posts` is what reached Slack and when, `start` the clock's time when the sender was made.
 */
function senderFor(replies: Reply[] = [], options: Partial<SlackSenderOptions> = {}) {
  const time = fakeTime();
  const slack = scriptedFetch(time, replies);
  const sender = new SlackSender({
    fetch: slack.fetch,
    clock: time,
    sleep: time.sleep,
    ...options,
  });
  return { sender, time, posts: slack.posts, start: time.now().getTime() };
}

const failure = (promise: Promise<unknown>) => rejectionOf(promise, SlackSendError);

describe("SlackSender", () => {
  it("waits Retry-After on a 429, then delivers", async () => {
    const { sender, time, posts, start } = senderFor([
      { status: 429, body: "rate_limited", headers: { "retry-after": "3" } },
    ]);

    await sender.send(HOOK_A, hello);

    expect(posts.map((p) => p.at - start)).toEqual([0, 3_000]);
    expect(time.sleeps).toEqual([3_000]);
  });

  it("posts at most one message per second to one webhook", async () => {
    const { sender, posts, start } = senderFor();

    await Promise.all([
      sender.send(HOOK_A, hello),
      sender.send(HOOK_A, hello),
      sender.send(HOOK_A, hello),
    ]);

    expect(posts.map((p) => p.at - start)).toEqual([0, 1_000, 2_000]);
  });

  it("paces each webhook on its own", async () => {
    const { sender, posts, start } = senderFor();

    await Promise.all([sender.send(HOOK_A, hello), sender.send(HOOK_B, hello)]);

    expect(posts.map((p) => p.at - start)).toEqual([0, 0]);
  });

  it("retries server errors and network failures with backoff, then delivers", async () => {
    const { sender, time, posts } = senderFor([
      { status: 500, body: "rollup_error" },
      new TypeError("fetch failed"),
    ]);

    await sender.send(HOOK_A, hello);

    expect(posts).toHaveLength(3);
    expect(time.sleeps).toEqual([1_000, 2_000]);
  });

  it("gives up after maxAttempts with Slack's answer, never the webhook URL", async () => {
    const { sender, posts } = senderFor(
      Array.from({ length: 5 }, () => ({ status: 503, body: "service_unavailable" })),
      { maxAttempts: 3 },
    );

    const error = await failure(sender.send(HOOK_A, hello));

    expect(posts).toHaveLength(3);
    expect(error.message).toBe(
      "Slack message not delivered: Slack answered 503 service_unavailable",
    );
    expect(error.httpStatus).toBe(503);
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(
      "secret-token",
    );
  });

  it("does not retry what retrying cannot fix (4xx other than 429)", async () => {
    const { sender, posts } = senderFor([{ status: 404, body: "no_service" }]);

    const error = await failure(sender.send(HOOK_A, hello));

    expect(posts).toHaveLength(1);
    expect(error.message).toContain("404 no_service");
  });

  it("gives up at once when Retry-After is longer than it may hold the queue", async () => {
    const { sender, posts } = senderFor([{ status: 429, headers: { "retry-after": "3600" } }]);

    await failure(sender.send(HOOK_A, hello));

    expect(posts).toHaveLength(1);
  });

  it("names a network error by its kind only: its message may quote the URL", async () => {
    const leak = new TypeError(`could not reach ${HOOK_A}`);
    const { sender } = senderFor([leak, leak], { maxAttempts: 2 });

    const error = await failure(sender.send(HOOK_A, hello));

    expect(error.message).toBe("Slack message not delivered: request failed (TypeError)");
  });

  it("keeps a later message moving after an earlier one failed", async () => {
    const { sender } = senderFor([{ status: 400, body: "invalid_payload" }]);

    const [first, second] = await Promise.allSettled([
      sender.send(HOOK_A, hello),
      sender.send(HOOK_A, hello),
    ]);

    expect(first.status).toBe("rejected");
    expect(second.status).toBe("fulfilled");
  });

  it("refuses new messages when a webhook's queue is full", async () => {
    const { sender } = senderFor([], { maxQueue: 2 });

    const results = await Promise.allSettled([1, 2, 3].map(() => sender.send(HOOK_A, hello)));

    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected"]);
  });

  it("posts the message within Slack's limits", async () => {
    const { sender, posts } = senderFor();

    await sender.send(HOOK_A, {
      text: "x".repeat(10_000),
      blocks: [{ type: "header", text: { type: "plain_text", text: "h".repeat(400) } }],
    });

    const body = posts[0]?.body as {
      text: string;
      blocks: Array<{ text: { text: string } }>;
    };
    expect(body.text).toHaveLength(4_000);
    expect(body.blocks[0]?.text.text).toHaveLength(150);
  });
});
