import { type Clock, systemClock } from "../../core/clock.ts";
import { ErrorCode, WardenError } from "../../core/errors.ts";
import { enforceLimits, type SlackMessage } from "./limits.ts";

/** Posts a message to one incoming webhook; the notifier depends on this port only. */
export interface WebhookSender {
  send(webhookUrl: string, message: SlackMessage): Promise<void>;
}

/**
 * Slack did not take the message. The message names the status and Slack's error word
 * (`invalid_payload`, `no_service`, …) — never the webhook URL, which is a secret.
 */
export class SlackSendError extends WardenError {
  readonly httpStatus: number | undefined;

  constructor(message: string, httpStatus?: number, cause?: unknown) {
    super(ErrorCode.INTERNAL, 502, message, {
      cause,
      details: { httpStatus },
      name: "SlackSendError",
    });
    this.httpStatus = httpStatus;
  }
}

/** Options of {@link SlackSender}. */
export interface SlackSenderOptions {
  fetch?: typeof fetch;
  clock?: Clock;
  /** Injected in tests together with `clock`; default a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Spacing between two posts to one webhook; Slack allows about one per second. Default 1000. */
  minIntervalMs?: number;
  /** Tries per message, including the first; default 4. */
  maxAttempts?: number;
  /** Per request; default 10 s. */
  timeoutMs?: number;
  /** A `Retry-After` longer than this gives up instead of holding the queue; default 60 s. */
  maxRetryAfterMs?: number;
  /** Messages waiting per webhook before new ones are refused; default 100. */
  maxQueue?: number;
}

interface Lane {
  tail: Promise<void>;
  waiting: number;
  /** Epoch ms before which nothing may be posted to this webhook. */
  notBefore: number;
}

/**
 * Posts messages to Slack incoming webhooks: one queue per webhook, at most one post per
 * `minIntervalMs` on it, 429 answered by waiting `Retry-After`, network errors, timeouts
 * and 5xx retried with backoff, other 4xx given up at once (retrying cannot fix them).
 * Messages are brought within Slack's limits before posting.
 *
 * The pace holds per process; on AWS give the notifier function a reserved concurrency
 * of 1 (or a few) so parallel containers do not add up past Slack's limit.
 *
 * @example
 * const sender = new SlackSender({ fetch });
 * await sender.send(webhookUrl, messageFor(event)!);
 */
export class SlackSender implements WebhookSender {
  readonly #fetch: typeof fetch;
  readonly #clock: Clock;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #o: Required<
    Pick<
      SlackSenderOptions,
      "minIntervalMs" | "maxAttempts" | "timeoutMs" | "maxRetryAfterMs" | "maxQueue"
    >
  >;
  readonly #lanes = new Map<string, Lane>();

  constructor(options: SlackSenderOptions = {}) {
    this.#fetch = options.fetch ?? fetch;
    this.#clock = options.clock ?? systemClock;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#o = {
      minIntervalMs: options.minIntervalMs ?? 1_000,
      maxAttempts: options.maxAttempts ?? 4,
      timeoutMs: options.timeoutMs ?? 10_000,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
      maxQueue: options.maxQueue ?? 100,
    };
  }

  /** Queues the message behind earlier ones to the same webhook; resolves once Slack took it. */
  send(webhookUrl: string, message: SlackMessage): Promise<void> {
    let lane = this.#lanes.get(webhookUrl);
    if (lane === undefined) {
      lane = { tail: Promise.resolve(), waiting: 0, notBefore: 0 };
      this.#lanes.set(webhookUrl, lane);
    }
    if (lane.waiting >= this.#o.maxQueue) {
      return Promise.reject(
        new SlackSendError(`the webhook's queue is full (${this.#o.maxQueue} messages waiting)`),
      );
    }
    const body = JSON.stringify(enforceLimits(message));
    const current = lane;
    current.waiting++;
    const result = current.tail.then(() => this.#post(webhookUrl, body, current));
    current.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result.finally(() => {
      current.waiting--;
    });
  }

  async #post(url: string, body: string, lane: Lane): Promise<void> {
    let failure = "no attempt made";
    let status: number | undefined;
    for (let attempt = 1; attempt <= this.#o.maxAttempts; attempt++) {
      await this.#waitUntil(lane.notBefore);
      lane.notBefore = this.#clock.now().getTime() + this.#o.minIntervalMs;
      let response: Response;
      try {
        response = await this.#fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json; charset=utf-8" },
          body,
          // The webhook URL is the credential: a redirect would carry the message elsewhere.
          redirect: "manual",
          signal: AbortSignal.timeout(this.#o.timeoutMs),
        });
      } catch (error) {
        // Only the error's name: a fetch error message may quote the URL.
        failure = `request failed (${(error as Error).name})`;
        status = undefined;
        lane.notBefore = Math.max(lane.notBefore, this.#backoffFrom(attempt));
        continue;
      }
      const text = (await response.text().catch(() => "")).trim().slice(0, 100);
      if (response.ok) return;
      status = response.status;
      failure = `Slack answered ${response.status}${text ? ` ${text.replace(/[^\w.:-]+/g, " ")}` : ""}`;
      if (response.status === 429) {
        const waitMs = retryAfterMs(response.headers.get("retry-after"), this.#clock);
        if (waitMs > this.#o.maxRetryAfterMs) break;
        lane.notBefore = Math.max(lane.notBefore, this.#clock.now().getTime() + waitMs);
      } else if (response.status >= 500) {
        lane.notBefore = Math.max(lane.notBefore, this.#backoffFrom(attempt));
      } else {
        break; // 400 invalid_payload, 403, 404 no_service, 410 channel_is_archived: final
      }
    }
    throw new SlackSendError(`Slack message not delivered: ${failure}`, status);
  }

  #backoffFrom(attempt: number): number {
    return this.#clock.now().getTime() + Math.min(30_000, 1_000 * 2 ** (attempt - 1));
  }

  async #waitUntil(epochMs: number): Promise<void> {
    const wait = epochMs - this.#clock.now().getTime();
    if (wait > 0) await this.#sleep(wait);
  }
}

/** `Retry-After` in seconds (Slack's form) or as an HTTP date; 1 s when absent or unreadable. */
function retryAfterMs(header: string | null, clock: Clock): number {
  if (header === null) return 1_000;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - clock.now().getTime()) : 1_000;
}
