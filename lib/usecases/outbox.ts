import type { EventPublisher } from "../notify/publisher.ts";
import {
  OUTBOX_PARTITION,
  type OutboxItem,
  type OutboxRepository,
  outboxItemOf,
} from "../store/outbox.ts";

/** What one publishing pass did. */
export interface OutboxPass {
  /** Items whose events were published. */
  items: number;
  /** Events published (a republished one counts again). */
  events: number;
  /** Items whose publishing failed (left in the outbox for the next pass). */
  failed: number;
}

/** Items a drain reads per page, and the most pages one pass reads. */
const PAGE = 100;
const MAX_PAGES = 20;

export interface OutboxDeps {
  outbox: OutboxRepository;
  events: EventPublisher;
  /** Told about an outbox entry that no longer parses (it is cleared, never published). */
  warn?: (message: string, error: unknown) => void;
}

/**
 * Publishes the outbox (lib/store/outbox.ts): each item's events to the bus, then its
 * outbox cleared. At least once: a crash between the two publishes them again, and
 * consumers drop what they saw by event id. On AWS the table's stream brings the items
 * ({@link OutboxPublisher.publishImages}); the drain ({@link OutboxPublisher.drain}) is the
 * local runtime's way and the sweeper's backstop for what the stream could not deliver.
 */
export class OutboxPublisher {
  readonly #d: OutboxDeps;

  constructor(deps: OutboxDeps) {
    this.#d = deps;
  }

  /**
   * Publishes every pending item, oldest first, until none is left (or a bound); with
   * `before`, only items pending since before then (the sweeper leaves the stream its turn).
   */
  async drain(options: { before?: Date } = {}): Promise<OutboxPass> {
    const pass: OutboxPass = { items: 0, events: 0, failed: 0 };
    const before = options.before?.toISOString();
    for (let page = 0; page < MAX_PAGES; page++) {
      const pending = await this.#d.outbox.pending(PAGE, {
        ...(before ? { before } : {}),
        onInvalid: this.#invalid,
      });
      const failedBefore = pass.failed;
      for (const item of pending) {
        // One item the bus keeps refusing must not hold back every item behind it.
        try {
          await this.#publish(item, pass);
        } catch (error) {
          pass.failed++;
          this.#d.warn?.(`outbox of ${item.key.pk.slice(0, 200)} not published`, error);
        }
      }
      // A short page is the end; a page of nothing but failures would only come back again.
      if (pending.length < PAGE || pass.failed - failedBefore === pending.length) break;
    }
    return pass;
  }

  /**
   * Publishes the outbox of an item image as the table's stream delivers it. Events the
   * old image already held were handed over with the record that wrote them (a later
   * write to the same item, a patch, carries them again): only the new ones go out. An
   * image outside the outbox index (already cleared) has nothing to publish.
   */
  async publishImage(
    image: Record<string, unknown>,
    oldImage?: Record<string, unknown>,
  ): Promise<OutboxPass> {
    const pass: OutboxPass = { items: 0, events: 0, failed: 0 };
    if (image.gsi4pk !== OUTBOX_PARTITION) return pass;
    const item = outboxItemOf(image, this.#invalid);
    const seen = new Set(
      oldImage?.gsi4pk === OUTBOX_PARTITION
        ? outboxItemOf(oldImage).events.map((e) => e.detail.eventId)
        : [],
    );
    const fresh = item.events.filter((e) => !seen.has(e.detail.eventId));
    if (fresh.length === item.events.length) {
      await this.#publish(item, pass);
      return pass;
    }
    // Some were another record's to publish: whether it did is not known here, so the
    // outbox is left for that record's clear (or the sweeper's backstop) to empty.
    if (fresh.length > 0) await this.#d.events.publish(fresh);
    pass.items++;
    pass.events += fresh.length;
    return pass;
  }

  readonly #invalid = (id: string, error: unknown) =>
    this.#d.warn?.(`outbox event ${id.slice(0, 200)} no longer parses; dropped`, error);

  async #publish(item: OutboxItem, pass: OutboxPass): Promise<void> {
    if (item.events.length > 0) await this.#d.events.publish(item.events);
    await this.#d.outbox.clear(item.key, item.size, item.lastId);
    pass.items++;
    pass.events += item.events.length;
  }
}
