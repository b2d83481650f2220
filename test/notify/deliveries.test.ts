import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventFromBackup } from "../../lib/notify/event-builders.ts";
import { type DeliveryLog, SlackNotifier } from "../../lib/notify/slack/notifier.ts";
import { SlackSender } from "../../lib/notify/slack/sender.ts";
import { StaticSecretSource } from "../../lib/providers/secrets.ts";
import { DeliveryRepository, STALE_CLAIM_MS } from "../../lib/store/deliveries.ts";
import { type SlackSink, startSlackSink } from "../../sandbox/slack-sink.ts";
import { manualClock } from "../support/clocks.ts";
import { dynaliteTable, type TestTable } from "../support/dynamo-engines.ts";
import { failedRecord, fakeTime } from "./fixtures.ts";

/*
 * EventBridge and the outbox deliver at least once; Lambda runs many containers. The
 * delivery log in the table is what makes a redelivered event one Slack message, across
 * containers and restarts.
 */

let table: TestTable;
let sink: SlackSink;
beforeAll(async () => {
  table = await dynaliteTable();
  sink = await startSlackSink();
});
afterAll(async () => {
  await sink.close();
  await table.close();
});

/** One Lambda container's notifier: its own memory, the shared table. */
function container(): SlackNotifier {
  const time = fakeTime();
  const repository = new DeliveryRepository({ db: table.db, table: table.table });
  const deliveries: DeliveryLog = {
    claim: (id, token) => repository.claim("notify-slack", id, token),
    finish: (id, token, status) => repository.finish("notify-slack", id, token, status),
  };
  return new SlackNotifier({
    sender: new SlackSender({ clock: time, sleep: time.sleep }),
    secrets: new StaticSecretSource({ "sandbox/slack": { url: sink.webhookUrl("alerts") } }),
    defaultWebhookRef: "sandbox/slack",
    allowLoopbackWebhooks: true,
    deliveries,
  });
}

describe("the delivery log", () => {
  it("lets a delivery take over a claim its owner never finished (it died), and only then", async () => {
    const clock = manualClock(Date.parse("2026-11-02T03:00:00.000Z"));
    const log = new DeliveryRepository({ db: table.db, table: table.table, clock });

    expect(await log.claim("notify-slack", "e-died", "first")).toBe("claimed");
    expect(await log.claim("notify-slack", "e-died", "second")).toBe("busy");
    clock.advance(STALE_CLAIM_MS + 1_000);
    expect(await log.claim("notify-slack", "e-died", "third")).toBe("claimed");
    await log.finish("notify-slack", "e-died", "first", "DONE"); // the dead one: not its claim any more
    expect(await log.claim("notify-slack", "e-died", "fourth")).toBe("busy");
    await log.finish("notify-slack", "e-died", "third", "DONE");
    expect(await log.claim("notify-slack", "e-died", "fifth")).toBe("done");
  });

  it("makes one message of an event delivered to two containers, at once and later", async () => {
    const event = eventFromBackup("backup.failed", failedRecord({ id: "bk_01jd3twice" }));
    const [a, b] = [container(), container()];

    const outcomes = await Promise.all([a.notify(event), b.notify(event)]);
    const later = await container().notify(event);

    // The second one at once finds the first still at it: "busy", so Lambda retries it.
    expect(outcomes.sort()).toEqual(["busy", "sent"]);
    expect(later).toBe("duplicate");
    expect(
      sink.messages.filter((m) => JSON.stringify(m.payload).includes("bk_01jd3twice")),
    ).toHaveLength(1);
  });

  it("lets a redelivery try again after a send that failed", async () => {
    const event = eventFromBackup("backup.failed", failedRecord({ id: "bk_01jd3retry" }));
    sink.faults.add({ kind: "status", status: 500, times: 10 });
    const first = await container().notify(event);
    sink.faults.clear();

    const second = await container().notify(event);

    expect(first).toBe("failed");
    expect(second).toBe("sent");
    expect(
      sink.messages.filter((m) => JSON.stringify(m.payload).includes("bk_01jd3retry")),
    ).toHaveLength(1);
  });
});
