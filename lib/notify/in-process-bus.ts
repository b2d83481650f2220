import { type DomainEvent, parseDomainEvent } from "./events.ts";
import { MetricName, type Metrics, noMetrics } from "./metrics.ts";
import type { EventPublisher } from "./publisher.ts";

/** A consumer of the bus; its result is awaited only to catch its errors. */
export type EventSubscriber = (event: DomainEvent) => unknown;

/** Options of {@link InProcessEventBus}. */
export interface InProcessEventBusOptions {
  /** Told about every subscriber failure (the local runtime logs it). */
  onError?: (error: unknown, event: DomainEvent) => void;
  metrics?: Metrics;
}

/**
 * The local runtime's EventBridge: `publish` validates the events, serialises each detail
 * through JSON (as the real bus does) and returns at once; subscribers run afterwards, in
 * order of subscription. A subscriber's failure is caught, reported and counted — it never
 * reaches the publisher or the other subscribers, as with separate EventBridge targets.
 *
 * @example
 * const bus = new InProcessEventBus({ onError: (e) => log("error", "subscriber failed", errorFields(e)) });
 * bus.subscribe((event) => notifier.notify(event));
 * await bus.publish([event]);
 * await bus.idle(); // tests: wait until the subscribers are done
 */
export class InProcessEventBus implements EventPublisher {
  readonly #subscribers = new Set<EventSubscriber>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #onError: (error: unknown, event: DomainEvent) => void;
  readonly #metrics: Metrics;
  #failures = 0;

  constructor(options: InProcessEventBusOptions = {}) {
    this.#onError = options.onError ?? (() => {});
    this.#metrics = options.metrics ?? noMetrics;
  }

  /** Adds a subscriber; the returned function removes it. */
  subscribe(subscriber: EventSubscriber): () => void {
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }

  async publish(events: readonly DomainEvent[]): Promise<void> {
    this.#publish(events);
  }

  /**
   * Publishes and resolves only once every subscriber has handled the events; rejects if
   * one failed. The local runtime's stand-in for EventBridge's own retries: its bus lives
   * in the process, so it acknowledges only what was delivered — a process killed in
   * between publishes again on restart, and a failed delivery is published again later.
   */
  async publishDelivered(events: readonly DomainEvent[]): Promise<void> {
    const failures: unknown[] = [];
    await Promise.all(this.#publish(events, failures));
    if (failures.length > 0) throw failures[0];
  }

  #publish(events: readonly DomainEvent[], failures?: unknown[]): Promise<void>[] {
    // Validate before accepting anything, as PutEvents would reject a malformed entry.
    const received = events.map((e) => parseDomainEvent(JSON.parse(JSON.stringify(e))));
    const deliveries: Promise<void>[] = [];
    for (const event of received) {
      for (const subscriber of this.#subscribers)
        deliveries.push(this.#deliver(subscriber, event, failures));
    }
    return deliveries;
  }

  /** Subscriber failures so far. */
  get failures(): number {
    return this.#failures;
  }

  /** Resolves when every delivery started so far (and any they caused) has finished. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  #deliver(subscriber: EventSubscriber, event: DomainEvent, failures?: unknown[]): Promise<void> {
    const delivery = (async () => {
      // Never inside the publisher's call: the next turn of the event loop, like a real bus.
      await new Promise((resolve) => setImmediate(resolve));
      try {
        await subscriber(event);
      } catch (error) {
        failures?.push(error);
        this.#failures++;
        this.#metrics.count(MetricName.subscriberFailed, { type: event.type });
        try {
          this.#onError(error, event);
        } catch {
          // A failing error reporter must not escape either.
        }
      }
    })();
    this.#inFlight.add(delivery);
    void delivery.finally(() => this.#inFlight.delete(delivery));
    return delivery;
  }
}
