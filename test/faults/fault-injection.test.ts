import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { STALE_CLAIM_MS } from "../../lib/store/deliveries.ts";
import { Keys } from "../../lib/store/keys.ts";
import { sandboxAdmin } from "../support/sandbox-admin.ts";
import {
  allRecords,
  type FaultWorld,
  inventory,
  startFaultWorld,
  sweepEvent,
  vendorCalls,
} from "./fault-world.ts";
import {
  failuresNotAnnouncedOnce,
  missedAdoptions,
  unexplainedDeletions,
  unrecordedOrDoubled,
  untruthfulOrStuck,
} from "./invariants.ts";

/*
 * Fault injection (issue "3 of 7"): the whole system — API, workflows, outbox, Slack,
 * reconciler — against the four vendor simulators while a fifth of the vendor requests
 * fail (5xx, 429, requests held past the client timeout and then carried out, responses
 * dropped or held after the vendor acted), requests are duplicated and the runtime is
 * killed mid-call and restarted on the same table. Then it comes to rest and is checked
 * against the vendors' own state. Every random choice comes from the seed, so a failing
 * seed replays. `FAULT_SEEDS=1,2,…` runs other seeds (the acceptance runs ten).
 */

const SEEDS = (process.env.FAULT_SEEDS ?? "11,23,37")
  .split(",")
  .map((s) => Number.parseInt(s.trim(), 10))
  .filter((n) => Number.isFinite(n));
const RUN = { rate: 0.2, timeoutMs: 250 };

describe("fault injection: nothing orphaned, nothing unannounced", () => {
  it.each(SEEDS)("comes to rest truthful with seed %i", { timeout: 120_000 }, async (seed) => {
    const world = await startFaultWorld({ seed, ...RUN });
    try {
      const foreign = await setUp(world);
      // Six rounds, two of them killed mid-way (as the runs that found the leaks were).
      // Six rounds, two of them killed mid-way (as the runs that found the leaks were). Two
      // rounds also lose one create per vendor for sure, besides the random faults: its
      // answer held past the timeout after the vendor acted (the retry must adopt what is
      // by then finished), or the request itself held and carried out after the retry had
      // made another (a late duplicate, the reconciler's to find).
      const rounds = [
        { kill: false, lose: "hold-response" },
        { kill: true },
        { kill: false, lose: "delay" },
        { kill: true, failZillizJob: true },
        { kill: false },
        { kill: false },
      ] as const;
      for (const r of rounds) await round(world, { ...r, deletes: world.random() < 0.5 });

      // Rest: no more faults; held requests land; stuck deletes are retried by the sweeper.
      world.calm();
      await sleep(RUN.timeoutMs * 3);
      await world.quiesce();
      await world.functions.invoke("sweep", sweepEvent());
      await world.quiesce();
      // A delivery killed between claiming an event and posting it left a claim: as Lambda
      // retries a minute later, the redelivery takes it over once it is stale.
      world.clock.advance(STALE_CLAIM_MS + 5_000);
      await world.quiesce();

      const before = await allRecords(world.store);
      const vendorCreatedAt = new Map(inventory(world).map((b) => [b.backupId, b.createdAt]));
      // The reconciler records what no record claims (orphans are due at once: grace 0),
      // then deletes the orphans, then finds nothing left to do.
      await world.functions.invoke("reconcile", {});
      await world.quiesce();
      await world.functions.invoke("reconcile", {});
      await world.quiesce();
      const last = (await world.functions.invoke("reconcile", { dryRun: true })) as {
        differences: number;
      };

      const records = await allRecords(world.store);
      const vendor = inventory(world);
      const slack = world.sink.messages.map((m) => JSON.stringify(m.payload));
      const problems = [
        ...unrecordedOrDoubled(vendor, records),
        ...untruthfulOrStuck(vendor, records),
        ...unexplainedDeletions(vendor, records, foreign),
        ...failuresNotAnnouncedOnce(records, slack),
        ...missedAdoptions(records, vendorCreatedAt, (provider) => vendorCalls(world, provider)),
      ];
      const count = (f: (r: (typeof records)[number]) => boolean) => records.filter(f).length;
      const summary = {
        seed,
        injected: world.vendors.map((v) => v.simulator.chaos.counts.byKind),
        records: records.length,
        beforeReconciling: before.length,
        orphans: count((r) => r.origin === "orphan"),
        unmanaged: count((r) => r.origin === "unmanaged"),
        foreign: foreign.length,
        adopted: count((r) => r.history.some((h) => h.cause === "vendor status ADOPTED")),
        failed: count((r) => r.status === "FAILED"),
        pendingOutbox: (await world.store.outbox.pending()).length,
        deleted: count((r) => r.status === "DELETED"),
      };
      console.info(`fault run ${JSON.stringify(summary)}`);
      if (problems.length > 0) {
        // What the delivery log says of each failure's events (to tell a lost one's story).
        const deliveries: unknown[] = [];
        for (const r of records.filter((r) => r.status === "FAILED")) {
          for (let v = 1; v <= r.version; v++) {
            const key = Keys.delivery("notify-slack", `backup.failed:${r.id}:${v}`);
            const item = (await world.table.db.get({ TableName: world.table.table, Key: key }))
              .Item;
            if (item) deliveries.push([r.id, v, item.status, item.at]);
          }
        }
        console.info(`deliveries ${JSON.stringify(deliveries)}`);
      }
      expect(problems, `seed ${seed}: ${JSON.stringify(summary)}`).toEqual([]);
      expect(last.differences).toBe(0);
      expect(summary.failed, "the scripted job failure").toBeGreaterThan(0);
      // The run did meet faults: a quiet run would prove nothing.
      const injected = world.vendors.reduce((n, v) => n + v.simulator.chaos.counts.injected, 0);
      expect(injected).toBeGreaterThan(10);
    } finally {
      await world.close();
    }
  });
});

/** Registers one target per vendor and seeds a backup there that is not ours. */
async function setUp(world: FaultWorld): Promise<Array<{ backupId: string }>> {
  const chaos = world.vendors.map((v) => v.simulator.chaos.config);
  world.calm(); // registration checks the vendor: not what this suite is about
  for (const vendor of world.vendors) {
    const created = await world.api("POST", "/v1/targets", { body: vendor.demoTarget });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
  }
  const foreign = world.vendors.map((v) => {
    const resource = v.demoTarget.resource as Record<string, string>;
    const input: Record<string, object> = {
      zilliz: { clusterId: resource.clusterId!, creationMethod: "AUTO" },
      pinecone: { indexName: resource.indexName!, name: "nightly-by-ops" },
      "huawei-taurusdb": { instanceId: resource.instanceId!, name: "ops-manual", type: "manual" },
      "huawei-dcs": { instanceId: resource.instanceId!, remark: "made in the console" },
    };
    return { backupId: v.simulator.seedBackup(input[String(v.demoTarget.provider)]!) };
  });
  world.vendors.forEach((v, i) => {
    v.simulator.chaos.set(chaos[i]);
  });
  return foreign;
}

/**
 * One backup per target, each request sent twice with one Idempotency-Key; optionally a
 * delete of every AVAILABLE backup (also sent twice), and a kill at a random moment.
 */
async function round(
  world: FaultWorld,
  options: {
    kill: boolean;
    deletes?: boolean;
    lose?: "hold-response" | "delay";
    /** The vendor fails this round's Zilliz job: a FAILED backup Slack must hear about once. */
    failZillizJob?: boolean;
  },
) {
  if (options.failZillizJob) {
    const zilliz = world.vendors.find((v) => v.demoTarget.provider === "zilliz")!;
    // Three jobs: a retry whose first job's answer was lost makes another, which fails too.
    const queued = await sandboxAdmin(zilliz.simulator, "POST", "/__sandbox/faults", {
      kind: "fail-next-job",
      reason: "disk full",
      times: 3,
    });
    expect(queued.status).toBe(201);
  }
  if (options.lose) {
    for (const v of world.vendors)
      v.simulator.faults.add({
        kind: options.lose,
        delayMs: RUN.timeoutMs * 2,
        // Each vendor's create: Zilliz and TaurusDB `…/backups/create`, the others `…/backups`.
        match: {
          method: "POST",
          path: ["zilliz", "huawei-taurusdb"].includes(String(v.demoTarget.provider))
            ? "/**/backups/create"
            : "/**/backups",
        },
      });
  }
  const key = () => `k-${Math.floor(world.random() * 1e12)}`;
  if (options.deletes) {
    const available = (await allRecords(world.store)).filter(
      (r) => r.status === "AVAILABLE" && !r.origin,
    );
    for (const r of available.slice(0, 4)) {
      const k = key();
      await world.api("DELETE", `/v1/backups/${r.id}`, { headers: { "idempotency-key": k } });
      await world.api("DELETE", `/v1/backups/${r.id}`, { headers: { "idempotency-key": k } });
    }
  }
  for (const vendor of world.vendors) {
    const k = key();
    const path = `/v1/targets/${String(vendor.demoTarget.id)}/backups`;
    const first = await world.api("POST", path, { headers: { "idempotency-key": k } });
    const again = await world.api("POST", path, { headers: { "idempotency-key": k } });
    if (first.status === 202) expect(again.json?.id).toBe(first.json.id);
  }
  if (options.kill) {
    await sleep(30 + Math.floor(world.random() * 300));
    await world.killAndRestart();
  }
  await world.quiesce();
}
