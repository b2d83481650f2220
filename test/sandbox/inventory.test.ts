import { afterEach, describe, expect, it } from "vitest";
import { startDcsSimulator } from "../../sandbox/huawei/dcs.ts";
import {
  DEFAULT_TAURUSDB_INSTANCE,
  startTaurusDbSimulator,
} from "../../sandbox/huawei/taurusdb.ts";
import { startSandbox } from "../../sandbox/index.ts";
import { startPineconeSimulator } from "../../sandbox/pinecone.ts";
import { clientFor, T0 } from "./huawei/helpers.ts";
import { startHarness } from "./zilliz-helpers.ts";

const running: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
});

describe("inventory", () => {
  it("Zilliz: creating and AVAILABLE backups, AUTO flagged, deleted and failed ones left out", async () => {
    const h = await startHarness({ jobDurationMs: 1_000 });
    running.push(h.sim);
    h.sim.faults.add({ kind: "fail-next-job", reason: "disk full" });
    await h.create(); // its job fails: the backup is gone
    h.advance(1_000);
    const doomed = h.sim.seedBackup({ clusterId: h.cluster });
    await h.call("DELETE", `/v2/clusters/${h.cluster}/backups/${doomed}`);
    const auto = h.sim.seedBackup({ clusterId: h.cluster, creationMethod: "AUTO" });
    const created = (await h.create()).json.data.backupId;

    expect(h.sim.inventory()).toEqual([
      {
        vendor: "zilliz",
        backupId: auto,
        resourceId: h.cluster,
        label: "",
        status: "AVAILABLE",
        automatic: true,
        createdAt: T0 + 1_000,
      },
      {
        vendor: "zilliz",
        backupId: created,
        resourceId: h.cluster,
        label: "",
        status: "CREATING",
        automatic: false,
        createdAt: T0 + 1_000,
      },
    ]);
  });

  it("Pinecone: label is description ?? name, deleted backups are left out", async () => {
    const clock = { value: T0 };
    const sim = await startPineconeSimulator({ now: () => clock.value, backupDurationMs: 5_000 });
    running.push(sim);
    const index = sim.indexes[0]!;
    const headers = {
      "api-key": sim.apiKey,
      "x-pinecone-api-version": "2025-10",
      "content-type": "application/json",
    };
    const created = await fetch(`${sim.url}/indexes/${index}/backups`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: "nightly", description: "warden:t1" }),
    });
    const createdId = ((await created.json()) as any).backup_id;
    const named = sim.seedBackup({ indexName: index, name: "weekly" });
    const doomed = sim.seedBackup({ indexName: index });
    await fetch(`${sim.url}/backups/${doomed}`, { method: "DELETE", headers });

    expect(sim.inventory()).toEqual([
      {
        vendor: "pinecone",
        backupId: createdId,
        resourceId: index,
        label: "warden:t1",
        status: "Initializing",
        automatic: false,
        createdAt: T0,
      },
      {
        vendor: "pinecone",
        backupId: named,
        resourceId: index,
        label: "weekly",
        status: "Ready",
        automatic: false,
        createdAt: T0,
      },
    ]);
  });

  it("TaurusDB: label is description || name, auto flagged, deleted backups left out", async () => {
    const clock = { value: T0 };
    const sim = await startTaurusDbSimulator({ now: () => clock.value, jobDurationMs: 5_000 });
    running.push(sim);
    const client = clientFor(sim, clock);
    const base = `/v3/${sim.projectId}`;
    const instanceId = DEFAULT_TAURUSDB_INSTANCE;
    const doomed = sim.seedBackup({ instanceId, name: "doomed-one" });
    await client.call("DELETE", `${base}/backups/${doomed}`);
    const auto = sim.seedBackup({
      instanceId,
      name: "auto-one",
      description: "policy",
      type: "auto",
    });
    const created = await client.call("POST", `${base}/backups/create`, {
      body: { instance_id: instanceId, name: "warden-bk_1" },
    });

    expect(sim.inventory()).toEqual([
      {
        vendor: "huawei-taurusdb",
        backupId: auto,
        resourceId: instanceId,
        label: "policy",
        status: "COMPLETED",
        automatic: true,
        createdAt: T0,
      },
      {
        vendor: "huawei-taurusdb",
        backupId: created.json.backup.id,
        resourceId: instanceId,
        label: "warden-bk_1",
        status: "BUILDING",
        automatic: false,
        createdAt: T0,
      },
    ]);
  });

  it("DCS: label is the remark, records being deleted or deleted are left out", async () => {
    const clock = { value: T0 };
    const sim = await startDcsSimulator({ now: () => clock.value, jobDurationMs: 5_000 });
    running.push(sim);
    const client = clientFor(sim, clock);
    const ha = sim.instances.find((i) => i.cacheMode === "ha")!.instanceId;
    const path = `/v2/${sim.projectId}/instances/${ha}/backups`;
    const doomed = sim.seedBackup({ instanceId: ha, remark: "old" });
    await client.call("DELETE", `${path}/${doomed}`);
    const auto = sim.seedBackup({ instanceId: ha, backupType: "auto" });
    const created = await client.call("POST", path, { body: { remark: "warden:t2" } });
    const beforeGone = sim.inventory();
    clock.value += 10_000; // the deleted record now shows status `deleted`
    const listed = await client.call("GET", path);

    expect(beforeGone).toEqual([
      {
        vendor: "huawei-dcs",
        backupId: auto,
        resourceId: ha,
        label: "",
        status: "succeed",
        automatic: true,
        createdAt: T0,
      },
      {
        vendor: "huawei-dcs",
        backupId: created.json.backup_id,
        resourceId: ha,
        label: "warden:t2",
        status: "waiting",
        automatic: false,
        createdAt: T0,
      },
    ]);
    expect(listed.json.backup_record_response.map((r: any) => r.status)).toContain("deleted");
    expect(sim.inventory().map((entry) => [entry.backupId, entry.status])).toEqual([
      [auto, "succeed"],
      [created.json.backup_id, "succeed"],
    ]);
  });

  it("is offered, with seeding and chaos, by every vendor startSandbox runs", async () => {
    const sandbox = await startSandbox({ jobDurationMs: 1_000 });
    running.push(sandbox);
    const inputs: Record<string, (resource: Record<string, unknown>) => object> = {
      zilliz: (r) => ({ clusterId: r.clusterId, creationMethod: "AUTO" }),
      pinecone: (r) => ({ indexName: r.indexName, description: "auto" }),
      "huawei-taurusdb": (r) => ({ instanceId: r.instanceId, name: "auto-seed", type: "auto" }),
      "huawei-dcs": (r) => ({ instanceId: r.instanceId, backupType: "auto" }),
    };

    for (const [provider, vendor] of Object.entries(sandbox.vendors)) {
      const resource = vendor.demoTarget.resource as Record<string, unknown>;
      const input = inputs[provider]!(resource);
      const backupId = vendor.simulator.seedBackup(input);
      vendor.simulator.chaos.set({ seed: 1, rate: 0, kinds: ["status"] });

      expect(vendor.simulator.inventory()).toEqual([
        expect.objectContaining({ vendor: provider, backupId, automatic: provider !== "pinecone" }),
      ]);
      expect(vendor.simulator.chaos.config).toMatchObject({ seed: 1 });
    }
    expect(Object.keys(sandbox.vendors).sort()).toEqual(Object.keys(inputs).sort());
  });
});
