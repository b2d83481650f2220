import { describe, expect, it } from "vitest";
import { contextOf } from "../../functions/root.ts";
import { nextRun } from "../../lib/schedule/index.ts";
import { Dispatcher, REDRIVE_AFTER_MS, TICK_MARGIN_MS } from "../../lib/usecases/dispatch.ts";
import { useHarness } from "../support/use-harness.ts";

/*
 * The schedule's two stages under faults: the dispatch function claims due runs a batch at
 * a time and hands them to the launch queue; launch-run (the queue's consumer) launches
 * each. More due targets than one batch, a tick that dies half-way (the queue refuses a
 * batch), a duplicated tick, a launch whose answer is lost (the message is delivered
 * again) and a target that cannot be launched at all: every other target is launched
 * exactly once, checked against the simulator's own request log.
 */

const FLEET = 23;
const BATCH = 5;

describe("schedule fan-out: claims in batches, launches from the queue", () => {
  const h = useHarness({ fleet: FLEET }, async (h) => {
    for (const [i, clusterId] of h.sim.clusters.slice(2).entries()) {
      const r = await h.call("POST", "/v1/targets", {
        body: {
          id: `fleet-${String(i + 1).padStart(2, "0")}`,
          name: `fleet ${i + 1}`,
          provider: "zilliz",
          secretRef: "sandbox/zilliz",
          resource: { clusterId, baseUrl: h.sim.url },
          tags: { fleet: "demo" },
        },
      });
      if (r.status !== 201) throw new Error(`target not created: ${r.body}`);
    }
  });

  /** The dispatch function's own tick, with a batch smaller than the fleet. */
  const tick = async (at: Date, remainingMs?: () => number) => {
    const ahead = at.getTime() - h.clock.now().getTime();
    if (ahead > 0) h.clock.advance(ahead);
    const d = contextOf("dispatch");
    const dispatcher = new Dispatcher({
      ...d.store,
      queue: d.runQueue,
      clock: d.clock,
      nextRun,
      batchSize: BATCH,
    });
    return dispatcher.tick(at, remainingMs ? { remainingMs } : {});
  };

  it("launches every due target exactly once across ticks, and a failing target stops no other", async () => {
    const created = await h.call("POST", "/v1/policies", {
      body: {
        id: "fleet",
        name: "fleet",
        schedule: { expression: "rate(1 hour)" },
        targets: { selector: { fleet: "demo" } },
        retention: { last: 10 },
      },
    });
    expect(created.status).toBe(201);
    const slot = created.json.nextRunAt as string;
    const start = Date.parse(slot) + 1_000;
    const targets = Array.from(
      { length: FLEET },
      (_, i) => `fleet-${String(i + 1).padStart(2, "0")}`,
    );
    const broken = "fleet-07";
    const redelivered = "fleet-03";

    // The broken target's backup record can never be written (the table refuses it).
    let tableBroken = true;
    h.functions.aws.fail("dynamodb:PutItem", "ServiceUnavailable", {
      times: 1_000,
      status: 503,
      when: (input) => {
        const item = JSON.stringify(input);
        return (
          tableBroken &&
          item.includes('"entity":{"S":"backup"}') &&
          item.includes(`"targetId":{"S":"${broken}"}`)
        );
      },
    });
    // One launch loses its last write (its run's STARTED), refused once and not retried
    // by the SDK: its message fails and comes back.
    h.functions.aws.fail("dynamodb:UpdateItem", "ValidationException", {
      times: 1,
      status: 400,
      when: (input) => {
        const text = JSON.stringify(input);
        return text.includes(`#${redelivered}`) && text.includes('"S":"STARTED"');
      },
    });
    // The first tick dies half-way: the queue takes two batches, then refuses the rest.
    let sends = 0;
    let queueDown = true;
    h.functions.aws.fail("sqs:SendMessage", "AWS.SimpleQueueService.InternalError", {
      times: 1_000,
      status: 500,
      when: () => queueDown && ++sends > 2,
    });

    const first = await tick(new Date(start));
    queueDown = false;
    expect(first.enqueued).toHaveLength(2 * BATCH);
    // The policy's tick failed (recorded as its run of `*`) and the policy was not advanced.
    expect(first.failed.map((o) => o.run.targetId)).toEqual(["*"]);
    expect((await h.call("GET", "/v1/policies/fleet")).json.nextRunAt).toBe(slot);
    await h.functions.launches.idle();

    // Moments later two ticks at once: they claim the runs nobody claimed; the ones the
    // dead tick claimed but never sent are left to it for now, so the policy stays due.
    const [second, twin] = await Promise.all([
      tick(new Date(start + 30_000)),
      tick(new Date(start + 30_000)),
    ]);
    await h.functions.launches.idle();
    const claimedLater = [...second.enqueued, ...twin.enqueued].map((m) => m.targetId);
    expect(new Set(claimedLater).size).toBe(claimedLater.length);
    expect(claimedLater.length).toBe(FLEET - 3 * BATCH);
    expect(second.deferred + twin.deferred).toBeGreaterThanOrEqual(BATCH);
    const held = (await h.call("GET", "/v1/policies/fleet")).json;
    expect(held.nextRunAt).toBe(slot);
    // They note the slot as sent up to the first run the dead tick holds, and no further:
    // the next tick starts there, not at the beginning, and not past a stranded run.
    expect(held.dispatchedThrough).toEqual({
      scheduledAt: slot,
      targetId: first.enqueued.at(-1)?.targetId,
    });

    // Past the re-drive delay: the stranded claims are sent with their reserved backup
    // ids, and the policy advances. A tick after that finds nothing to do.
    const third = await tick(new Date(start + REDRIVE_AFTER_MS + 60_000));
    await h.functions.launches.idle();
    expect(third.enqueued).toHaveLength(BATCH);
    expect((await h.call("GET", "/v1/policies/fleet")).json.nextRunAt).not.toBe(slot);
    const fourth = await tick(new Date(start + REDRIVE_AFTER_MS + 61_000));
    expect(fourth.enqueued).toEqual([]);
    tableBroken = false;
    await h.starter.idle();

    // Every run settled once: the broken target FAILED (announced), all others STARTED.
    const runs = (await h.container.runs.list("fleet", 100)).filter(
      (r) => r.scheduledAt === slot && r.targetId !== "*",
    );
    expect(runs.map((r) => r.targetId).sort()).toEqual(targets);
    for (const run of runs)
      expect([run.targetId, run.status]).toEqual([
        run.targetId,
        run.targetId === broken ? "FAILED" : "STARTED",
      ]);
    // The lost answer was delivered again and launched nothing new.
    expect(h.functions.launches.stats.redeliveries).toBeGreaterThanOrEqual(1);
    expect(h.functions.launches.deadLetters).toEqual([]);

    // One backup per target in the catalogue, one create per cluster at the vendor.
    const backups = (await h.container.backups.list({ policyId: "fleet", limit: 100 })).items;
    const byTarget = Map.groupBy(backups, (b) => b.targetId);
    for (const target of targets) {
      if (target === broken) expect(byTarget.get(target)).toBeUndefined();
      else expect(byTarget.get(target)?.map((b) => b.status)).toEqual(["AVAILABLE"]);
    }
    const creates = h.sim.requests.filter(
      (r) => r.method === "POST" && /\/backups\/create$/.test(r.path) && r.status === 200,
    );
    const perCluster = Map.groupBy(creates, (r) => r.path.split("/")[3]);
    expect([...perCluster.values()].map((c) => c.length)).toEqual(Array(FLEET - 1).fill(1));
    await h.functions.outbox.settled();
    const failures = h.events.filter(
      (e) => e.type === "schedule.failed" && e.detail.policyId === "fleet",
    );
    expect(failures.map((e) => e.detail.targetId ?? "*").sort()).toEqual(["*", broken]);
    await h.call("DELETE", "/v1/policies/fleet");
  });

  it("goes on where a tick that ran short of time stopped (between batches or inside one), each target once", async () => {
    const created = await h.call("POST", "/v1/policies", {
      body: {
        id: "big-slot",
        name: "big-slot",
        schedule: { expression: "rate(1 hour)" },
        targets: { selector: { fleet: "demo" } },
        retention: { last: 10 },
      },
    });
    expect(created.status).toBe(201);
    const slot = created.json.nextRunAt as string;
    const start = Date.parse(slot) + 1_000;
    // The Lambda's time left, as the dispatch function reads it. The tick looks at the time left before each policy, each batch and each claim: plenty
    // for `looks` of them, then less than the margin.
    const timeFor = (looks: number) => {
      let checks = 0;
      return () => (++checks <= looks ? 60_000 : TICK_MARGIN_MS - 1);
    };
    // 1. Cut inside its second batch, after two claims (policy, batch + 5, batch + 2);
    // 2. two whole batches (policy, 2 × (batch + 5)); 3. the rest, with time to spare.
    const ticks = [
      { looks: 1 + (1 + BATCH) + (1 + 2), sent: BATCH + 2 },
      { looks: 1 + 2 * (1 + BATCH), sent: 2 * BATCH },
      { looks: 100, sent: FLEET - 3 * BATCH - 2 },
    ];
    const policy = async () => (await h.call("GET", "/v1/policies/big-slot")).json;

    // A minute apart, as the schedule ticks: well inside the re-drive delay, so a tick that
    // started the slot over would find the last one's claims and only defer them.
    const sent: string[][] = [];
    for (const [i, { looks, sent: size }] of ticks.entries()) {
      const report = await tick(new Date(start + i * 60_000), timeFor(looks));
      await h.functions.launches.idle();
      sent.push(report.enqueued.map((m) => m.targetId));
      expect(report.enqueued).toHaveLength(size);
      expect(report.deferred).toBe(0);
      expect(report.outOfTime).toBe(i < 2);
      const after = await policy();
      if (i < 2) {
        // Still on the slot, and saying how far it is sent.
        expect(after.nextRunAt).toBe(slot);
        expect(after.dispatchedThrough).toEqual({ scheduledAt: slot, targetId: sent[i]!.at(-1) });
      } else {
        expect(after.nextRunAt).not.toBe(slot);
        expect(after.dispatchedThrough).toBeUndefined();
      }
    }
    // Every target once, none twice, in the slot's fixed order (not the ids': it spreads vendors).
    const all = [...sent.flat()].sort();
    expect(all).toEqual(
      Array.from({ length: FLEET }, (_, i) => `fleet-${String(i + 1).padStart(2, "0")}`),
    );
    await h.starter.idle();
    const runs = (await h.container.runs.list("big-slot", 100)).filter(
      (r) => r.scheduledAt === slot,
    );
    expect(runs.map((r) => [r.targetId, r.status]).sort()).toEqual(
      all.map((id) => [id, "STARTED"]),
    );
    await h.call("DELETE", "/v1/policies/big-slot");
  });
});
