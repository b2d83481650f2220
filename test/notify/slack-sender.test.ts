import { describe, expect, it } from "vitest";
import type { SlackMessage } from "../../lib/notify/slack/limits.ts";
import { SlackSendError, SlackSender } from "../../lib/notify/slack/sender.ts";
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

async function failure(promise: Promise<unknown>): Promise<SlackSendError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SlackSendError);
  return error as SlackSendError;
}

describe("SlackSender", () => {
  it("waits Retry-After on a 429, then delivers", async () => {
    const time = fakeTime();
    const start = time.now().getTime();
    const slack = scriptedFetch(time, [
      { status: 429, body: "rate_limited", headers: { "retry-after": "3" } },
    ]);
    const sender = new SlackSender({ fetch: slack.fetch, clock: time, sleep: time.sleep });

    await sender.send(HOOK_A, hello);

    expect(slack.posts.map((p) => p.at - start)).toEqual([0, 3_000]);
    expect(time.sleeps).toEqual([3_000]);
  });

  it("posts at most one message per second to one webhook", async () => {
    const time = fakeTime();
    const start = time.now().getTime();
    const slack = scriptedFetch(time);
    const sender = new SlackSender({ fetch: slack.fetch, clock: time, sleep: time.sleep });

    await Promise.all([
      sender.send(HOOK_A, hello),
      sender.send(HOOK_A, hello),
      sender.send(HOOK_A, hello),
    ]);

    expect(slack.posts.map((p) => p.at - start)).toEqual([0, 1_000, 2_000]);
  });

  it("paces each webhook on its own", async () => {
    const time = fakeTime();
    const start = time.now().getTime();
    const slack = scriptedFetch(time);
    const sender = new SlackSender({ fetch: slack.fetch, clock: time, sleep: time.sleep });

    await Promise.all([sender.send(HOOK_A, hello), sender.send(HOOK_B, hello)]);

    expect(slack.posts.map((p) => p.at - start)).toEqual([0, 0]);
  });

  it("retries server errors and network failures with backoff, then delivers", async () => {
    const time = fakeTime();
    const slack = scriptedFetch(time, [
      { status: 500, body: "rollup_error" },
      new TypeError("fetch failed"),
    ]);
    const sender = new SlackSender({ fetch: slack.fetch, clock: time, sleep: time.sleep });

    await sender.send(HOOK_A, hello);

    expect(slack.posts).toHaveLength(3);
    expect(time.sleeps).toEqual([1_000, 2_000]);
  });

  it("gives up after maxAttempts with Slack's answer, never the webhook URL", async () => {
    const time = fakeTime();
    const slack = scriptedFetch(
      time,
      Array.from({ length: 5 }, () => ({ status: 503, body: "service_unavailable" })),
    );
    const sender = new SlackSender({
      fetch: slack.fetch,
      clock: time,
      sleep: time.sleep,
      maxAttempts: 3,
    });

    const error = await failure(sender.send(HOOK_A, hello));

    expect(slack.posts).toHaveLength(3);
    expect(error.message).toBe(
      "Slack message not delivered: Slack answered 503 service_unavailable",
    );
    expect(error.httpStatus).toBe(503);
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(
      "secret-token",
    );
  });

  it("does not retry what retrying cannot fix (4xx other than 429)", async () => {
    const time = fakeTime();
    const slack = scriptedFetch(time, [{ status: 404, body: "no_service" }]);
    const sender = new SlackSender({ fetch: slack.fetch, clock: time, sleep: time.sleep });

    const error = await failure(sender.send(HOOK_A, hello));

    expect(slack.posts).toHaveLength(1);
    expect(error.message).toContain("404 no_service");
  });

  it("gives up at once when Retry-After is longer than it may hold the queue", async () => {
    const time = fakeTime();
    const slack = scriptedFetch(time, [{ status: 429, headers: { "retry-after": "3600" } }]);
    const sender = new SlackSender({ fetch: slack.fetch, clock: time, sleep: time.sleep });

    await failure(sender.send(HOOK_A, hello));

    expect(slack.posts).toHaveLength(1);
  });

  it("names a network error by its kind only: its message may quote the URL", async () => {
    const time = fakeTime();
    const leak = new TypeError(`could not reach ${HOOK_A}`);
    const slack = scriptedFetch(time, [leak, leak]);
    const sender = new SlackSender({
      fetch: slack.fetch,
      clock: time,
      sleep: time.sleep,
      maxAttempts: 2,
    });

    const error = await failure(sender.send(HOOK_A, hello));

    expect(error.message).toBe("Slack message not delivered: request failed (TypeError)");
  });

  it("keeps a later message moving after an earlier one failed", async () => {
    const time = fakeTime();
    const slack = scriptedFetch(time, [{ status: 400, body: "invalid_payload" }]);
    const sender = new SlackSender({ fetch: slack.fetch, clock: time, sleep: time.sleep });

    const [first, second] = await Promise.allSettled([
      sender.send(HOOK_A, hello),
      sender.send(HOOK_A, hello),
    ]);

    expect(first.status).toBe("rejected");
    expect(second.status).toBe("fulfilled");
  });

  it("refuses new messages when a webhook's queue is full", async () => {
    const time = fakeTime();
    const slack = scriptedFetch(time);
    const sender = new SlackSender({
      fetch: slack.fetch,
      clock: time,
      sleep: time.sleep,
      maxQueue: 2,
    });

    const results = await Promise.allSettled([1, 2, 3].map(() => sender.send(HOOK_A, hello)));

    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected"]);
  });

  it("posts the message within Slack's limits", async () => {
    const time = fakeTime();
    const slack = scriptedFetch(time);
    const sender = new SlackSender({ fetch: slack.fetch, clock: time, sleep: time.sleep });

    await sender.send(HOOK_A, {
      text: "x".repeat(10_000),
      blocks: [{ type: "header", text: { type: "plain_text", text: "h".repeat(400) } }],
    });

    const body = slack.posts[0]?.body as {
      text: string;
      blocks: Array<{ text: { text: string } }>;
    };
    expect(body.text).toHaveLength(4_000);
    expect(body.blocks[0]?.text.text).toHaveLength(150);
  });
});
