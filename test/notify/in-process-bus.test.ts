import { describe, expect, it } from "vitest";
import { eventFromBackup } from "../../lib/notify/event-builders.ts";
import type { DomainEvent } from "../../lib/notify/events.ts";
import { InProcessEventBus } from "../../lib/notify/in-process-bus.ts";
import { CountingMetrics, MetricName } from "../../lib/notify/metrics.ts";
import { failedRecord } from "./fixtures.ts";

const failed = () => eventFromBackup("backup.failed", failedRecord());

describe("InProcessEventBus", () => {
  it("delivers after publish has returned, not inside the publisher's call", async () => {
    const bus = new InProcessEventBus();
    const received: DomainEvent[] = [];
    bus.subscribe((event) => {
      received.push(event);
    });

    await bus.publish([failed()]);
    const duringPublish = received.length;
    await bus.idle();

    expect(duringPublish).toBe(0);
    expect(received).toEqual([failed()]);
  });

  it("catches, reports and counts a subscriber's failure; other subscribers still run", async () => {
    const metrics = new CountingMetrics();
    const reported: string[] = [];
    const bus = new InProcessEventBus({
      metrics,
      onError: (error, event) => reported.push(`${event.type}: ${(error as Error).message}`),
    });
    const received: string[] = [];
    bus.subscribe(async () => {
      throw new Error("slack down");
    });
    bus.subscribe((event) => {
      received.push(event.type);
    });

    await expect(bus.publish([failed()])).resolves.toBeUndefined();
    await bus.idle();

    expect(received).toEqual(["backup.failed"]);
    expect(reported).toEqual(["backup.failed: slack down"]);
    expect(bus.failures).toBe(1);
    expect(metrics.get(MetricName.subscriberFailed, { type: "backup.failed" })).toBe(1);
  });

  it("hands subscribers a copy as EventBridge would, not the publisher's object", async () => {
    const bus = new InProcessEventBus();
    const event = failed();
    let received: DomainEvent | undefined;
    bus.subscribe((e) => {
      received = e;
    });

    await bus.publish([event]);
    await bus.idle();

    expect(received).toEqual(event);
    expect(received).not.toBe(event);
  });

  it("rejects a malformed event at publish, like PutEvents would", async () => {
    const bus = new InProcessEventBus();
    let calls = 0;
    bus.subscribe(() => {
      calls++;
    });

    await expect(
      bus.publish([{ type: "backup.failed", detail: {} } as unknown as DomainEvent]),
    ).rejects.toThrow(/invalid domain event/);
    await bus.idle();
    expect(calls).toBe(0);
  });

  it("stops delivering to a subscriber once it unsubscribes", async () => {
    const bus = new InProcessEventBus();
    let calls = 0;
    const unsubscribe = bus.subscribe(() => {
      calls++;
    });

    await bus.publish([failed()]);
    await bus.idle();
    unsubscribe();
    await bus.publish([failed()]);
    await bus.idle();

    expect(calls).toBe(1);
  });
});
