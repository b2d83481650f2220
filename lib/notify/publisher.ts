import type {
  PutEventsCommand,
  PutEventsCommandOutput,
  PutEventsRequestEntry,
} from "@aws-sdk/client-eventbridge";
import { ErrorCode, WardenError } from "../core/errors.ts";
import { type DomainEvent, DomainEvent as DomainEventSchema, EVENT_SOURCE } from "./events.ts";

/** Where domain events go: EventBridge on AWS, an in-process bus locally. */
export interface EventPublisher {
  /** Resolves when every event was accepted; rejects with {@link EventPublishError}. */
  publish(events: readonly DomainEvent[]): Promise<void>;
}

/** The one EventBridge call the publisher makes; an `EventBridgeClient` fits. */
export interface PutEventsClient {
  send(command: PutEventsCommand): Promise<PutEventsCommandOutput>;
}

/** Some events were not accepted after every attempt. Names detail-types, never details. */
export class EventPublishError extends WardenError {
  readonly failed: ReadonlyArray<{ type: string; errorCode: string }>;

  constructor(failed: Array<{ type: string; errorCode: string }>, total: number, attempts: number) {
    const list = failed.map((f) => `${f.type} (${f.errorCode})`).join(", ");
    super(
      ErrorCode.INTERNAL,
      500,
      `${failed.length} of ${total} events were not published after ${attempts} attempts: ${list}`,
      { details: { failed }, name: "EventPublishError" },
    );
    this.failed = failed;
  }
}

/** PutEvents accepts at most 10 entries and 256 KB per request. */
const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;
/** The documented retryable per-entry codes; any other code fails the entry at once. */
const RETRYABLE = new Set(["InternalFailure", "ThrottlingException"]);

/** Options of {@link EventBridgePublisher}. */
export interface EventBridgePublisherOptions {
  client: PutEventsClient;
  /** Name or ARN of the bus. */
  busName: string;
  /** Tries per entry, including the first; default 4. */
  maxAttempts?: number;
  /** First backoff; doubles per attempt, capped at 2 s, with jitter. Default 100 ms. */
  baseDelayMs?: number;
  /** Injected in tests; default a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1); default `Math.random`. */
  random?: () => number;
}

/**
 * Publishes domain events to an EventBridge bus with `PutEvents`: validated first, sent
 * in batches of at most 10 entries, and only the entries that failed with a retryable
 * code (or whose whole request threw) are sent again, with exponential backoff.
 *
 * @example
 * const publisher = new EventBridgePublisher({ client: new EventBridgeClient({}), busName: "warden" });
 * await publisher.publish([eventFromBackup("backup.failed", record)]);
 */
export class EventBridgePublisher implements EventPublisher {
  readonly #options: Required<Omit<EventBridgePublisherOptions, "client" | "busName">>;
  readonly #client: PutEventsClient;
  readonly #busName: string;

  constructor(options: EventBridgePublisherOptions) {
    this.#client = options.client;
    this.#busName = options.busName;
    this.#options = {
      maxAttempts: options.maxAttempts ?? 4,
      baseDelayMs: options.baseDelayMs ?? 100,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      random: options.random ?? Math.random,
    };
  }

  async publish(events: readonly DomainEvent[]): Promise<void> {
    let pending = events.map((event) => ({ event, entry: this.#entryOf(event), errorCode: "" }));
    const failed: Array<{ type: string; errorCode: string }> = [];
    let attempt = 0;
    while (pending.length > 0 && attempt < this.#options.maxAttempts) {
      if (attempt > 0) await this.#options.sleep(this.#backoff(attempt));
      attempt++;
      const retry: typeof pending = [];
      for (const batch of batches(pending)) {
        const results = await this.#send(batch.map((p) => p.entry));
        batch.forEach((item, index) => {
          const errorCode = results[index];
          if (errorCode === undefined) return;
          if (RETRYABLE.has(errorCode)) retry.push({ ...item, errorCode });
          else failed.push({ type: item.event.type, errorCode });
        });
      }
      pending = retry;
    }
    failed.push(...pending.map((p) => ({ type: p.event.type, errorCode: p.errorCode })));
    if (failed.length > 0) throw new EventPublishError(failed, events.length, attempt);
  }

  /** Per entry: `undefined` when accepted, else its error code. A thrown call fails all. */
  async #send(entries: PutEventsRequestEntry[]): Promise<Array<string | undefined>> {
    // Imported on first use: a function pays for loading the SDK only once it publishes.
    const { PutEventsCommand } = await import("@aws-sdk/client-eventbridge");
    let output: PutEventsCommandOutput;
    try {
      output = await this.#client.send(new PutEventsCommand({ Entries: entries }));
    } catch (error) {
      const name = error instanceof Error ? error.name : "Error";
      // The SDK has already retried throttling and 5xx; what is left may still pass later.
      return entries.map(() => (RETRYABLE.has(name) ? name : "InternalFailure"));
    }
    if (!output.FailedEntryCount) return entries.map(() => undefined);
    return entries.map((_, index) => {
      const result = output.Entries?.[index];
      if (result?.EventId && !result.ErrorCode) return undefined;
      return result?.ErrorCode ?? "InternalFailure";
    });
  }

  #entryOf(event: DomainEvent): PutEventsRequestEntry {
    const checked = DomainEventSchema.parse(event);
    return {
      EventBusName: this.#busName,
      Source: EVENT_SOURCE,
      DetailType: checked.type,
      Detail: JSON.stringify(checked.detail),
      Time: new Date(checked.detail.occurredAt),
    };
  }

  #backoff(attempt: number): number {
    const ceiling = Math.min(2_000, this.#options.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (ceiling / 2) * this.#options.random());
  }
}

/** Splits entries into requests of at most 10 entries and 256 KB. */
function* batches<T extends { entry: PutEventsRequestEntry }>(items: T[]): Generator<T[]> {
  let batch: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = entrySize(item.entry);
    if (batch.length === MAX_ENTRIES || (batch.length > 0 && bytes + size > MAX_REQUEST_BYTES)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(item);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}

/** EventBridge's entry size: UTF-8 bytes of Source, DetailType, Detail, plus 14 for Time. */
function entrySize(entry: PutEventsRequestEntry): number {
  const text = (entry.Source ?? "") + (entry.DetailType ?? "") + (entry.Detail ?? "");
  return Buffer.byteLength(text, "utf8") + 14;
}
