import * as z from "zod";
import { type DomainEvent, parseDomainEvent } from "../notify/events.ts";
import { isConditionFailure } from "./page.ts";
import { TableRepository } from "./repository.ts";

/*
 * The transactional outbox. A domain event is written in the same conditional write as the
 * transition that causes it: appended to an `outbox` list on the very item that changed
 * (a backup record, a schedule run), which also enters the sparse `gsi4` index. The write
 * either happens with its events or not at all, so a crash can no longer lose an event
 * after its transition, and a retried step that finds the transition done writes none.
 * Publishing is separate and at-least-once: on AWS the table's stream hands every item
 * with a pending outbox to `publish-outbox`; locally the runtime drains the index. After
 * publishing, the outbox is cleared — only if nothing was appended meanwhile — and
 * consumers drop the rare duplicate by event id (docs/architecture.md, "The outbox").
 */

/** The `gsi4` partition of items with unpublished events. */
export const OUTBOX_PARTITION = "OUTBOX";

/**
 * The stream subscription's filter (stacks/events.ts): only items that hold unpublished
 * events reach the publisher. Items outside the outbox index (leases, the rate budget…)
 * never do, however often they change.
 */
export const OUTBOX_STREAM_FILTER = {
  eventName: ["INSERT", "MODIFY"],
  dynamodb: { NewImage: { gsi4pk: { S: [OUTBOX_PARTITION] } } },
};

/** One pending event as stored: its id, detail-type and detail. */
const StoredEvent = z.object({ id: z.string(), type: z.string(), detail: z.unknown() });

/** An item with unpublished events. */
export interface OutboxItem {
  key: { pk: string; sk: string };
  events: DomainEvent[];
  /** How many entries its outbox holds (an entry that no longer parses counts too). */
  size: number;
  /** The id of its last entry. */
  lastId: string | undefined;
}

/** The item behind an image of the outbox index (a Query result, a stream image). */
export function outboxItemOf(
  image: Record<string, unknown>,
  onInvalid?: (id: string, error: unknown) => void,
): OutboxItem {
  return {
    key: { pk: String(image.pk), sk: String(image.sk) },
    events: outboxOf(image, onInvalid),
    size: Array.isArray(image.outbox) ? image.outbox.length : 0,
    lastId: Array.isArray(image.outbox)
      ? (image.outbox.at(-1) as { id?: unknown } | undefined)?.id?.toString()
      : undefined,
  };
}

/**
 * The parts of an UpdateItem that append `events` to an item's outbox, to merge into the
 * write of the transition itself.
 */
export function outboxAppend(
  events: readonly DomainEvent[],
  at: string,
  key: { pk: string },
): { sets: string[]; names: Record<string, string>; values: Record<string, unknown> } {
  return {
    sets: [
      "#outbox = list_append(if_not_exists(#outbox, :noEvents), :events)",
      "#gsi4pk = :outboxPartition",
      "#gsi4sk = if_not_exists(#gsi4sk, :outboxSort)",
    ],
    names: { "#outbox": "outbox", "#gsi4pk": "gsi4pk", "#gsi4sk": "gsi4sk" },
    values: {
      ":noEvents": [],
      ":events": events.map(stored),
      ":outboxPartition": OUTBOX_PARTITION,
      ":outboxSort": `${at}#${key.pk}`,
    },
  };
}

/** The attributes a new item carries when it is written with `events` (a conditional put). */
export function outboxAttributes(
  events: readonly DomainEvent[],
  at: string,
  key: { pk: string },
): Record<string, unknown> {
  return events.length === 0
    ? {}
    : { outbox: events.map(stored), gsi4pk: OUTBOX_PARTITION, gsi4sk: `${at}#${key.pk}` };
}

function stored(event: DomainEvent) {
  return { id: event.detail.eventId, type: event.type, detail: event.detail };
}

/**
 * The events of an item image (a Query result, a stream image); an entry that no longer
 * parses is dropped with its id named, never published half-valid.
 */
export function outboxOf(
  item: Record<string, unknown>,
  onInvalid?: (id: string, error: unknown) => void,
): DomainEvent[] {
  const entries = z.array(StoredEvent).safeParse(item.outbox ?? []);
  if (!entries.success) return [];
  const events: DomainEvent[] = [];
  for (const entry of entries.data) {
    try {
      events.push(parseDomainEvent({ type: entry.type, detail: entry.detail }));
    } catch (error) {
      onInvalid?.(entry.id, error);
    }
  }
  return events;
}

/** Reads and clears outboxes. */
export class OutboxRepository extends TableRepository {
  /** Items with unpublished events, oldest first (one Query page of the sparse index). */
  async pending(
    limit = 100,
    options: { before?: string; onInvalid?: (id: string, error: unknown) => void } = {},
  ): Promise<OutboxItem[]> {
    return (await this.pendingImages(limit, options.before)).map((item) =>
      outboxItemOf(item, options.onInvalid),
    );
  }

  /**
   * The whole items with unpublished events, oldest first, as the table holds them; with
   * `before` (ISO time), only those whose first pending event was written before it.
   */
  async pendingImages(limit = 100, before?: string): Promise<Array<Record<string, unknown>>> {
    const result = await this.db.query({
      TableName: this.table,
      IndexName: "gsi4",
      KeyConditionExpression: before ? "gsi4pk = :pk AND gsi4sk < :before" : "gsi4pk = :pk",
      ExpressionAttributeValues: {
        ":pk": OUTBOX_PARTITION,
        ...(before ? { ":before": before } : {}),
      },
      Limit: limit,
    });
    return result.Items ?? [];
  }

  /**
   * Clears an item's outbox after its `published` entries went out — only if no
   * event was appended meanwhile (the list only grows until cleared). False when one was:
   * the next drain publishes the whole list again, and consumers drop what they saw.
   */
  async clear(
    key: { pk: string; sk: string },
    published: number,
    /** The id of the last entry published: the same count with other events is not ours. */
    lastId: string | undefined,
  ): Promise<boolean> {
    const last = published > 0 && lastId !== undefined;
    try {
      await this.db.update({
        TableName: this.table,
        Key: key,
        UpdateExpression: "REMOVE #outbox, #gsi4pk, #gsi4sk",
        ConditionExpression: last
          ? `size(#outbox) = :n AND #outbox[${published - 1}].#id = :last`
          : "size(#outbox) = :n",
        ExpressionAttributeNames: {
          "#outbox": "outbox",
          "#gsi4pk": "gsi4pk",
          "#gsi4sk": "gsi4sk",
          ...(last ? { "#id": "id" } : {}),
        },
        ExpressionAttributeValues: { ":n": published, ...(last ? { ":last": lastId } : {}) },
      });
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
