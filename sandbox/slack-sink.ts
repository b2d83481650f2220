import * as z from "zod";
import { SLACK_LIMITS } from "../lib/notify/slack/limits.ts";
import { FaultQueue, httpFaultSchema } from "./fault-queue.ts";
import {
  type RequestLogEntry,
  type SimRequest,
  type SimResponse,
  startJsonHttpSimulator,
} from "./http-sim.ts";

/** One message the sink accepted. */
export interface RecordedSlackMessage {
  /** The path after `/services/`, e.g. `sandbox/failures` — the sink's name for the webhook. */
  webhook: string;
  receivedAt: string;
  /** The JSON body as posted. */
  payload: unknown;
  /** One line: webhook, then the message's `text` (or its header). */
  summary: string;
}

/** Options of {@link startSlackSink}. */
export interface SlackSinkOptions {
  /** Default 0 (ephemeral); the host is always 127.0.0.1. */
  port?: number;
  /** Called with a one-line summary of each accepted message (the local runtime prints it). */
  onMessage?: (summary: string, message: RecordedSlackMessage) => void;
  onRequest?: (entry: RequestLogEntry) => void;
  /** Injectable clock (epoch ms) for `receivedAt`; default `Date.now`. */
  now?: () => number;
}

/** A running Slack incoming-webhook stand-in. */
export interface SlackSink {
  /** e.g. `http://127.0.0.1:54321` */
  url: string;
  /** The webhook URL for a name: `${url}/services/${name}`; put it in the webhook's secret. */
  webhookUrl(name: string): string;
  /** Accepted messages in arrival order; tests may read or truncate it. */
  messages: RecordedSlackMessage[];
  /** Transport faults (`status` 429/5xx with `retryAfterSeconds`, `delay`). */
  faults: FaultQueue;
  /** Answers the next `times` webhook posts with 429 and `Retry-After`. */
  throttleNext(times: number, retryAfterSeconds?: number): void;
  requests: RequestLogEntry[];
  close(): Promise<void>;
}

const text = (max: number) =>
  z.object({ type: z.enum(["plain_text", "mrkdwn"]), text: z.string().min(1).max(max) });

/** Slack's plain-text error words for the statuses the sink answers on its own. */
const SLACK_ERRORS: Record<number, string> = { 404: "no_service", 429: "rate_limited" };

/** What Slack checks before it takes a message (the limits of `limits.ts`). */
const SlackPayload = z
  .object({
    text: z.string().optional(),
    blocks: z
      .array(
        z.discriminatedUnion("type", [
          z.object({ type: z.literal("header"), text: text(SLACK_LIMITS.headerText) }),
          z.object({
            type: z.literal("section"),
            text: text(SLACK_LIMITS.sectionText).optional(),
            fields: z
              .array(text(SLACK_LIMITS.fieldText))
              .min(1)
              .max(SLACK_LIMITS.fields)
              .optional(),
          }),
          z.object({
            type: z.literal("context"),
            elements: z
              .array(text(SLACK_LIMITS.contextText))
              .min(1)
              .max(SLACK_LIMITS.contextElements),
          }),
          z.object({ type: z.literal("divider") }),
        ]),
      )
      .max(SLACK_LIMITS.blocks)
      .optional(),
  })
  .loose();

/**
 * Starts a loopback stand-in for Slack incoming webhooks. `POST /services/<anything>`
 * answers like Slack — `200 ok` as text/plain, `400 invalid_payload` for a body that is
 * not a JSON object, `400 no_text` without text or blocks, `400 invalid_blocks` when a
 * block breaks Slack's limits — and records accepted payloads, served as JSON at
 * `GET /sandbox/slack/messages` (`DELETE` clears them). Faults come from the shared
 * sandbox machinery, including `POST /__sandbox/faults`.
 *
 * @example
 * const sink = await startSlackSink({ onMessage: (line) => console.log(line) });
 * secrets.set("warden/slack", { url: sink.webhookUrl("failures") });
 */
export async function startSlackSink(options: SlackSinkOptions = {}): Promise<SlackSink> {
  const messages: RecordedSlackMessage[] = [];
  const faults = new FaultQueue();
  const now = options.now ?? Date.now;

  function receive(request: SimRequest): SimResponse {
    if (
      request.bodyError !== undefined ||
      typeof request.body !== "object" ||
      request.body === null
    ) {
      return { status: 400, body: "invalid_payload" };
    }
    const parsed = SlackPayload.safeParse(request.body);
    if (!parsed.success) return { status: 400, body: "invalid_blocks" };
    if (!parsed.data.text && !parsed.data.blocks?.length) return { status: 400, body: "no_text" };
    const webhook = request.path.slice("/services/".length);
    const recorded = {
      webhook,
      receivedAt: new Date(now()).toISOString(),
      payload: request.body,
      summary: "",
    };
    recorded.summary = summarise(webhook, parsed.data);
    messages.push(recorded);
    options.onMessage?.(recorded.summary, recorded);
    return { status: 200, body: "ok" };
  }

  // Webhook paths are /services/T…/B…/secret; accept any depth up to five segments.
  const depths = ["/:a", "/:a/:b", "/:a/:b/:c", "/:a/:b/:c/:d", "/:a/:b/:c/:d/:e"];
  const sim = await startJsonHttpSimulator({
    port: options.port,
    faults,
    faultSchema: httpFaultSchema,
    errorBody: (status) =>
      SLACK_ERRORS[status] ?? (status >= 500 ? "service_unavailable" : "invalid_payload"),
    onRequest: options.onRequest,
    dumpState: () => ({ messages: messages.length }),
    routes: [
      ...depths.map((d) => ({ method: "POST", pattern: `/services${d}`, handler: receive })),
      {
        method: "GET",
        pattern: "/sandbox/slack/messages",
        handler: () => ({ status: 200, body: { messages } }),
      },
      {
        method: "DELETE",
        pattern: "/sandbox/slack/messages",
        handler: () => ({ status: 200, body: { cleared: messages.splice(0).length } }),
      },
    ],
  });
  return {
    url: sim.url,
    webhookUrl: (name) =>
      `${sim.url}/services/${name.split("/").map(encodeURIComponent).join("/")}`,
    messages,
    faults,
    throttleNext(times, retryAfterSeconds = 1) {
      faults.add({
        kind: "status",
        status: 429,
        retryAfterSeconds,
        times,
        match: { method: "POST", path: /^\/services\// },
      });
    },
    requests: sim.requests,
    close: () => sim.close(),
  };
}

function summarise(webhook: string, payload: z.infer<typeof SlackPayload>): string {
  const header = payload.blocks?.find((b) => b.type === "header");
  const line =
    (payload.text || (header && "text" in header ? header.text.text : "") || "(blocks only)").split(
      "\n",
    )[0] ?? "";
  const short = line.length > 160 ? `${line.slice(0, 159)}…` : line;
  return `slack ${webhook}: ${short}`;
}
