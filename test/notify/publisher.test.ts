import type { PutEventsCommand, PutEventsCommandOutput } from "@aws-sdk/client-eventbridge";
import { describe, expect, it } from "vitest";
import { eventFromBackup } from "../../lib/notify/event-builders.ts";
import type { DomainEvent } from "../../lib/notify/events.ts";
import {
  EventBridgePublisher,
  EventPublishError,
  type PutEventsClient,
} from "../../lib/notify/publisher.ts";
import { availableRecord, deletedRecord, failedRecord } from "./fixtures.ts";

type Answer = (entryIndex: number, call: number) => string | undefined;

/** A PutEvents client that records requests and fails entries as `answer` says. */
function fakeEventBridge(answer: Answer = () => undefined) {
  const calls: Array<
    Array<{ DetailType?: string; Detail?: string; EventBusName?: string; Source?: string }>
  > = [];
  const client: PutEventsClient = {
    async send(command: PutEventsCommand): Promise<PutEventsCommandOutput> {
      const entries = command.input.Entries ?? [];
      calls.push(entries);
      const call = calls.length;
      const results = entries.map((_, i) => {
        const code = answer(i, call);
        return code ? { ErrorCode: code, ErrorMessage: "nope" } : { EventId: `ev-${call}-${i}` };
      });
      return {
        FailedEntryCount: results.filter((r) => "ErrorCode" in r).length,
        Entries: results,
        $metadata: {},
      };
    },
  };
  return { client, calls };
}

function events(count: number): DomainEvent[] {
  return Array.from({ length: count }, (_, i) =>
    eventFromBackup(
      "backup.available",
      availableRecord({ id: `bk_${String(i).padStart(4, "0")}` }),
    ),
  );
}

const noWait = { sleep: async () => {}, random: () => 0.5 };

describe("EventBridgePublisher", () => {
  it("sends at most 10 entries per PutEvents call, with our source and bus", async () => {
    const bus = fakeEventBridge();
    const publisher = new EventBridgePublisher({
      client: bus.client,
      busName: "warden-bus",
      ...noWait,
    });

    await publisher.publish(events(23));

    expect(bus.calls.map((c) => c.length)).toEqual([10, 10, 3]);
    expect(bus.calls[0]?.[0]).toMatchObject({
      EventBusName: "warden-bus",
      Source: "backup-warden",
      DetailType: "backup.available",
    });
    expect(JSON.parse(bus.calls[0]?.[0]?.Detail ?? "{}")).toMatchObject({
      version: 1,
      backupId: "bk_0000",
    });
  });

  it("retries only the entries that failed with a retryable code, after a backoff", async () => {
    const bus = fakeEventBridge((i, call) =>
      call === 1 && (i === 2 || i === 7) ? "ThrottlingException" : undefined,
    );
    const sleeps: number[] = [];
    const publisher = new EventBridgePublisher({
      client: bus.client,
      busName: "warden-bus",
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
    });

    await publisher.publish(events(10));

    expect(bus.calls).toHaveLength(2);
    expect(bus.calls[1]?.map((e) => JSON.parse(e.Detail ?? "{}").backupId)).toEqual([
      "bk_0002",
      "bk_0007",
    ]);
    expect(sleeps).toEqual([75]);
  });

  it("gives up after maxAttempts and names the detail-types that failed", async () => {
    const bus = fakeEventBridge((i) => (i === 0 ? "InternalFailure" : undefined));
    const publisher = new EventBridgePublisher({
      client: bus.client,
      busName: "b",
      maxAttempts: 3,
      ...noWait,
    });
    const batch = [eventFromBackup("backup.failed", failedRecord()), ...events(2)];

    const error = await publisher.publish(batch).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(EventPublishError);
    expect((error as EventPublishError).message).toBe(
      "1 of 3 events were not published after 3 attempts: backup.failed (InternalFailure)",
    );
    expect(bus.calls.map((c) => c.length)).toEqual([3, 1, 1]);
  });

  it("does not retry entries refused for good", async () => {
    const bus = fakeEventBridge((i) => (i === 1 ? "MalformedDetail" : undefined));
    const publisher = new EventBridgePublisher({ client: bus.client, busName: "b", ...noWait });
    const batch = [
      eventFromBackup("backup.failed", failedRecord()),
      eventFromBackup("backup.deleted", deletedRecord()),
    ];

    const error = (await publisher.publish(batch).catch((e: unknown) => e)) as EventPublishError;

    expect(bus.calls).toHaveLength(1);
    expect(error.failed).toEqual([{ type: "backup.deleted", errorCode: "MalformedDetail" }]);
  });

  it("retries the whole batch when the call itself throws", async () => {
    let calls = 0;
    const client: PutEventsClient = {
      async send(command) {
        calls++;
        if (calls === 1) throw Object.assign(new Error("socket hang up"), { name: "TimeoutError" });
        return {
          FailedEntryCount: 0,
          Entries: (command.input.Entries ?? []).map(() => ({ EventId: "x" })),
          $metadata: {},
        };
      },
    };
    const publisher = new EventBridgePublisher({ client, busName: "b", ...noWait });

    await publisher.publish(events(4));

    expect(calls).toBe(2);
  });

  it("refuses an event that does not fit the catalogue before sending anything", async () => {
    const bus = fakeEventBridge();
    const publisher = new EventBridgePublisher({ client: bus.client, busName: "b", ...noWait });
    const broken = { type: "backup.failed", detail: { version: 1 } } as unknown as DomainEvent;

    await expect(publisher.publish([broken])).rejects.toThrow();
    expect(bus.calls).toHaveLength(0);
  });

  it("sends nothing for an empty list", async () => {
    const bus = fakeEventBridge();

    await new EventBridgePublisher({ client: bus.client, busName: "b" }).publish([]);

    expect(bus.calls).toHaveLength(0);
  });
});
