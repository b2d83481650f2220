import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startDcsSimulator } from "../../sandbox/huawei/dcs.ts";
import {
  DEFAULT_TAURUSDB_INSTANCE,
  startTaurusDbSimulator,
} from "../../sandbox/huawei/taurusdb.ts";
import { startPineconeSimulator } from "../../sandbox/pinecone.ts";
import { sandboxAdmin } from "../support/sandbox-admin.ts";
import { clientFor, T0 } from "./huawei/helpers.ts";
import { iso, startHarness } from "./zilliz-helpers.ts";

const running: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
});

/** `POST /__sandbox/backups` with `body` (a string is sent as is). */
async function seed(sim: { url: string; adminToken: string }, body: unknown) {
  const response = await sandboxAdmin(sim, "POST", "/__sandbox/backups", body);
  return { status: response.status, json: (await response.json()) as any };
}

describe("seeding backups: Zilliz", () => {
  it("lists a seeded AUTO backup with creationMethod AUTO and the creationMethod filter", async () => {
    const h = await startHarness({ clusters: ["in01-aaaaaaaaaaaaaaa", "in01-bbbbbbbbbbbbbbb"] });
    running.push(h.sim);
    const manual = (await h.create()).json.data.backupId;
    h.advance(60_000);

    const seeded = await seed(h.sim, { clusterId: h.cluster, creationMethod: "AUTO" });
    const auto = await h.call("GET", "/v2/backups?creationMethod=AUTO");
    const manuals = await h.call("GET", "/v2/backups?creationMethod=MANUAL");
    const detail = await h.call("GET", `/v2/clusters/${h.cluster}/backups/${seeded.json.backupId}`);

    expect(seeded.status).toBe(201);
    expect(auto.json.data.count).toBe(1);
    expect(auto.json.data.backups[0]).toMatchObject({
      backupId: seeded.json.backupId,
      backupName: expect.any(String),
      backupType: "CLUSTER",
      creationMethod: "AUTO",
      status: "AVAILABLE",
      size: expect.any(Number),
      createTime: iso(T0 + 60_000),
    });
    expect(auto.json.data.backups[0].size).toBeGreaterThan(0);
    expect(manuals.json.data.backups.map((b: any) => b.backupId)).toEqual([manual]);
    expect(detail.json.data).toMatchObject({ creationMethod: "AUTO", status: "AVAILABLE" });
  });

  it("honours clusterId, backupType, startTime and endTime on seeded backups", async () => {
    const h = await startHarness({ clusters: ["in01-aaaaaaaaaaaaaaa", "in01-bbbbbbbbbbbbbbb"] });
    running.push(h.sim);
    const other = h.sim.clusters[1]!;
    const first = h.sim.seedBackup({ clusterId: h.cluster });
    h.advance(3_600_000);
    const second = h.sim.seedBackup({ clusterId: other, backupType: "COLLECTION" });
    const ids = async (query: string) =>
      (await h.call("GET", `/v2/backups?${query}`)).json.data.backups.map((b: any) => b.backupId);

    expect(await ids(`clusterId=${other}`)).toEqual([second]);
    expect(await ids("backupType=COLLECTION")).toEqual([second]);
    expect(await ids("backupType=CLUSTER")).toEqual([first]);
    expect(await ids(`startTime=${iso(T0 + 1_000)}`)).toEqual([second]);
    expect(await ids(`endTime=${iso(T0 + 1_000)}`)).toEqual([first]);
    expect(await ids("")).toEqual([second, first]);
  });

  it("keeps a seeded AUTO backup across a restart from the state file", async () => {
    const folder = await mkdtemp(join(tmpdir(), "zilliz-seed-"));
    try {
      const stateFile = join(folder, "zilliz.json");
      const first = await startHarness({ stateFile });
      running.push(first.sim);
      const backupId = first.sim.seedBackup({ clusterId: first.cluster, creationMethod: "AUTO" });
      await first.sim.close();
      const second = await startHarness({ stateFile });
      running.push(second.sim);

      const auto = await second.call("GET", "/v2/backups?creationMethod=AUTO");

      expect(auto.json.data.backups.map((b: any) => b.backupId)).toEqual([backupId]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it("answers 400 to bad bodies, 404 to unknown and 409 to Serverless clusters", async () => {
    const h = await startHarness({ serverlessClusters: ["in01-serverless000000"] });
    running.push(h.sim);

    const badJson = await seed(h.sim, "{");
    const badMethod = await seed(h.sim, { clusterId: h.cluster, creationMethod: "HOURLY" });
    const missing = await seed(h.sim, {});
    const typo = await seed(h.sim, { clusterId: h.cluster, creationmethod: "AUTO" });
    const unknown = await seed(h.sim, { clusterId: "in01-nope" });
    const serverless = await seed(h.sim, { clusterId: "in01-serverless000000" });

    expect([badJson.status, badMethod.status, missing.status, typo.status]).toEqual([
      400, 400, 400, 400,
    ]);
    expect(badMethod.json.error).toMatch(/creationMethod/);
    expect(missing.json.error).toMatch(/clusterId/);
    expect(typo.json.error).toMatch(/creationmethod/);
    expect(unknown).toEqual({ status: 404, json: { error: "cluster in01-nope not found" } });
    expect(serverless.status).toBe(409);
    expect(() => h.sim.seedBackup({ clusterId: "in01-nope" })).toThrow(/not found/);
    expect(h.sim.inventory()).toEqual([]);
  });
});

describe("seeding backups: Pinecone", () => {
  it("creates a Ready backup listed with the documented fields", async () => {
    const sim = await startPineconeSimulator({ now: () => T0, indexes: ["docs-example"] });
    running.push(sim);

    const seeded = await seed(sim, {
      indexName: "docs-example",
      name: "weekly",
      description: "warden:demo",
    });
    const unnamed = sim.seedBackup({ indexName: "docs-example" });
    const response = await fetch(`${sim.url}/indexes/docs-example/backups`, {
      headers: { "api-key": sim.apiKey, "x-pinecone-api-version": "2025-10" },
    });
    const listed = (await response.json()) as any;

    expect(seeded.status).toBe(201);
    expect(listed.data).toHaveLength(2);
    expect(listed.data[1]).toMatchObject({
      backup_id: seeded.json.backupId,
      name: "weekly",
      description: "warden:demo",
      status: "Ready",
      created_at: new Date(T0).toISOString(),
      size_bytes: expect.any(Number),
    });
    expect(listed.data[0]).toMatchObject({ backup_id: unnamed, name: null, description: null });
  });

  it("answers 404 to an unknown index and 400 to a bad name", async () => {
    const sim = await startPineconeSimulator();
    running.push(sim);

    const unknown = await seed(sim, { indexName: "nope" });
    const badName = await seed(sim, { indexName: sim.indexes[0], name: "Not_Valid" });

    expect(unknown).toEqual({ status: 404, json: { error: "index nope not found" } });
    expect(badName.status).toBe(400);
    expect(badName.json.error).toMatch(/name must be 1-45 lowercase/);
  });
});

describe("seeding backups: TaurusDB", () => {
  it("creates COMPLETED backups listed with their type, which backup_type filters", async () => {
    const clock = { value: T0 };
    const sim = await startTaurusDbSimulator({ now: () => clock.value });
    running.push(sim);
    const client = clientFor(sim, clock);
    const base = `/v3/${sim.projectId}/backups`;

    const auto = await seed(sim, {
      instanceId: DEFAULT_TAURUSDB_INSTANCE,
      name: "auto-nightly",
      type: "auto",
    });
    const manual = sim.seedBackup({
      instanceId: DEFAULT_TAURUSDB_INSTANCE,
      name: "warden-manual",
      description: "warden:demo",
    });
    const autos = await client.call("GET", `${base}?backup_type=auto`);
    const manuals = await client.call("GET", `${base}?backup_type=manual`);
    const all = await client.call("GET", base);

    expect(auto.status).toBe(201);
    expect(autos.json.backups).toEqual([
      expect.objectContaining({
        id: auto.json.backupId,
        name: "auto-nightly",
        description: "",
        type: "auto",
        status: "COMPLETED",
        begin_time: "2026-03-02T09:00:00+0000",
        size: expect.any(Number),
      }),
    ]);
    expect(manuals.json.backups.map((b: any) => [b.id, b.type, b.description])).toEqual([
      [manual, "manual", "warden:demo"],
    ]);
    expect(all.json.total_count).toBe(2);
  });

  it("answers 404 to an unknown instance, 409 to a taken name, 400 to a bad name", async () => {
    const sim = await startTaurusDbSimulator();
    running.push(sim);
    const instanceId = DEFAULT_TAURUSDB_INSTANCE;
    sim.seedBackup({ instanceId, name: "taken-name" });

    const unknown = await seed(sim, { instanceId: "nope", name: "some-name" });
    const taken = await seed(sim, { instanceId, name: "taken-name" });
    const badName = await seed(sim, { instanceId, name: "1x" });
    const badType = await seed(sim, { instanceId, name: "some-name", type: "weekly" });

    expect(unknown.status).toBe(404);
    expect(taken.status).toBe(409);
    expect(badName.status).toBe(400);
    expect(badType.status).toBe(400);
  });
});

describe("seeding backups: DCS", () => {
  it("creates succeed records listed with their backup_type and remark", async () => {
    const clock = { value: T0 };
    const sim = await startDcsSimulator({ now: () => clock.value });
    running.push(sim);
    const client = clientFor(sim, clock);
    const [ha, single] = sim.instances.map((i) => i.instanceId);

    const auto = await seed(sim, { instanceId: ha, backupType: "auto" });
    const manual = sim.seedBackup({ instanceId: ha!, remark: "warden:demo" });
    const listed = await client.call("GET", `/v2/${sim.projectId}/instances/${ha}/backups`);
    const refused = await seed(sim, { instanceId: single });
    const unknown = await seed(sim, { instanceId: "nope" });
    const badRemark = await seed(sim, { instanceId: ha, remark: "x".repeat(129) });

    expect(auto.status).toBe(201);
    const records = listed.json.backup_record_response;
    expect(records).toHaveLength(2);
    const byId = new Map(records.map((r: any) => [r.backup_id, r]));
    expect(byId.get(auto.json.backupId)).toMatchObject({
      remark: "",
      backup_type: "auto",
      status: "succeed",
      created_at: new Date(T0).toISOString(),
      progress: "100.00",
      size: expect.any(Number),
    });
    expect(byId.get(manual)).toMatchObject({ remark: "warden:demo", backup_type: "manual" });
    expect(refused.status).toBe(409);
    expect(unknown.status).toBe(404);
    expect(badRemark.status).toBe(400);
  });
});
