import { describe, expect, it } from "vitest";
import { Keys } from "../../lib/store/keys.ts";
import { OUTBOX_PARTITION } from "../../lib/store/outbox.ts";
import { useHarness } from "../support/use-harness.ts";

/*
 * The transactional outbox: an event is written with the transition that causes it, so
 * a bus that is down (or a crash before publishing) loses nothing; it is published once
 * the bus answers again, and Slack hears about it once.
 */

const failureTexts = (h: ReturnType<typeof useHarness>) =>
  (h.sink?.messages ?? [])
    .map((m) => JSON.stringify(m.payload))
    .filter((t) => t.includes("Backup failed"));

describe("the outbox, with the stream", () => {
  const h = useHarness({ slack: true }, (h) => h.zillizTarget("orders"));

  it("keeps a failure's event while the bus refuses it, and publishes it once when it accepts", async () => {
    let busDown = true;
    // A refusal, not a 5xx: the SDK's own retries would only make this test slow.
    h.functions.aws.fail("events:PutEvents", "AccessDeniedException", {
      times: 10_000,
      when: () => busDown,
    });
    h.sim.faults.add({ kind: "fail-next-job", reason: "disk full" });
    const made = await h.call("POST", "/v1/targets/orders/backups");
    await h.starter.idle();
    await h.functions.outbox.settled();

    const stored = await h.table.db.get({
      TableName: h.table.table,
      Key: Keys.backup(made.json.id),
    });
    expect(stored.Item).toMatchObject({ status: "FAILED", gsi4pk: OUTBOX_PARTITION });
    expect(failureTexts(h)).toEqual([]);

    busDown = false;
    await h.functions.outbox.drain();
    await h.functions.outbox.settled();
    await h.functions.outbox.drain(); // a second pass finds nothing more to say

    const after = await h.table.db.get({
      TableName: h.table.table,
      Key: Keys.backup(made.json.id),
    });
    expect(after.Item?.gsi4pk).toBeUndefined();
    expect(after.Item?.outbox).toBeUndefined();
    const texts = failureTexts(h).filter((t) => t.includes(made.json.id));
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain("disk full");
  });
});

describe("the outbox, with its stream down", () => {
  const h = useHarness({ slack: true, streamOutbox: false }, (h) => h.zillizTarget("orders"));

  it("is published by the sweeper once the stream has let it wait five minutes", async () => {
    h.sim.faults.add({ kind: "fail-next-job", reason: "quota exceeded" });
    const made = await h.call("POST", "/v1/targets/orders/backups");
    await h.starter.idle();
    expect(failureTexts(h)).toEqual([]);

    const early = (await h.container.sweeper.sweep()).outboxEvents;
    h.clock.advance(6 * 60_000);
    const late = (await h.container.sweeper.sweep()).outboxEvents;
    await h.functions.outbox.settled();

    expect(early).toBe(0);
    // created, and failed
    expect(late).toBe(2);
    expect(failureTexts(h).filter((t) => t.includes(made.json.id))).toHaveLength(1);
  });
});
