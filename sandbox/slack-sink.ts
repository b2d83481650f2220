import * as z from "zod";
import { SLACK_LIMITS } from "../lib/notify/slack/limits.ts";
import { httpFaultSchema } from "./fault-queue.ts";
import type { SimRequest, SimResponse, SimRoute } from "./http-sim.ts";
import { type SimulatorHandle, type SimulatorOptions, startSimulator } from "./simulator.ts";

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

/**
 * Options of {@link startSlackSink}. The sink keeps its messages in memory only (no
 * `stateFile`): a restarted sink starts empty, as a fresh webhook inbox should.
 */
export interface SlackSinkOptions extends Omit<SimulatorOptions, "stateFile"> {
  /** Called with a one-line summary of each accepted message (the local runtime prints it). */
  onMessage?: (summary: string, message: RecordedSlackMessage) => void;
}

/** A running Slack incoming-webhook stand-in; its `faults` take the transport kinds only. */
export interface SlackSink extends SimulatorHandle {
  /** The webhook URL for a name: `${url}/services/${name}`; put it in the webhook's secret. */
  webhookUrl(name: string): string;
  /** Accepted messages in arrival order; tests may read or truncate it. */
  messages: RecordedSlackMessage[];
  /** Answers the next `times` webhook posts with 429 and `Retry-After`. */
  throttleNext(times: number, retryAfterSeconds?: number): void;
}

/** What the sink keeps: the accepted messages (validated should a state file ever hold them). */
const sinkStateSchema = z.object({
  messages: z.array(
    z.object({
      webhook: z.string(),
      receivedAt: z.string(),
      payload: z.unknown(),
      summary: z.string(),
    }),
  ),
});

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
  const { handle, state } = await startSimulator(options, {
    stateSchema: sinkStateSchema,
    initialState: () => ({ messages: [] }),
    faultSchema: httpFaultSchema,
    errorBody: (status) =>
      SLACK_ERRORS[status] ?? (status >= 500 ? "service_unavailable" : "invalid_payload"),
    serve: ({ state, save, now }) => ({
      routes: sinkRoutes(
        state.messages,
        (message) => {
          save();
          options.onMessage?.(message.summary, message);
        },
        now,
      ),
      dump: () => ({ messages: state.messages.length }),
    }),
  });
  return {
    ...handle,
    webhookUrl: (name) =>
      `${handle.url}/services/${name.split("/").map(encodeURIComponent).join("/")}`,
    messages: state.messages,
    throttleNext(times, retryAfterSeconds = 1) {
      handle.faults.add({
        kind: "status",
        status: 429,
        retryAfterSeconds,
        times,
        match: { method: "POST", path: "/services/**" },
      });
    },
  };
}

/** Webhook posts, and the recorded messages read (`GET`) or cleared (`DELETE`) by tests. */
function sinkRoutes(
  messages: RecordedSlackMessage[],
  accepted: (message: RecordedSlackMessage) => void,
  now: () => number,
): SimRoute[] {
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
      summary: summarise(webhook, parsed.data),
    };
    messages.push(recorded);
    accepted(recorded);
    return { status: 200, body: "ok" };
  }

  // Webhook paths are /services/T…/B…/secret; accept any depth up to five segments.
  const depths = ["/:a", "/:a/:b", "/:a/:b/:c", "/:a/:b/:c/:d", "/:a/:b/:c/:d/:e"];
  return [
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
  ];
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
