import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  DEFAULT_TAURUSDB_INSTANCE,
  startTaurusDbSimulator,
  type TaurusDbSimulator,
  type TaurusDbSimulatorOptions,
} from "../../../sandbox/huawei/taurusdb.ts";
import { type Client, clientFor, T0 } from "./helpers.ts";

const INSTANCE = DEFAULT_TAURUSDB_INSTANCE;
const sims: TaurusDbSimulator[] = [];

async function start(options: TaurusDbSimulatorOptions = {}, at = T0) {
  const clock = { value: at };
  const sim = await startTaurusDbSimulator({ now: () => clock.value, ...options });
  sims.push(sim);
  const client: Client = clientFor(sim, clock);
  const base = `/v3/${sim.projectId}`;
  const create = (name = "warden-bk_1") =>
    client.call("POST", `${base}/backups/create`, { body: { instance_id: INSTANCE, name } });
  return { sim, client, base, create };
}

afterEach(async () => {
  await Promise.all(sims.splice(0).map((sim) => sim.close()));
});

describe("TaurusDB simulator: backup lifecycle", () => {
  it("creates with 201, builds, completes, and reports the job", async () => {
    const { client, base, create } = await start({ jobDurationMs: 10_000 });

    const created = await create();
    const { id } = created.json.backup;
    const building = await client.call("GET", `${base}/backups?backup_id=${id}`);
    client.advance(10_000);
    const done = await client.call("GET", `${base}/backups?backup_id=${id}`);
    const job = await client.call("GET", `${base}/jobs?id=${created.json.job_id}`);

    expect(created.status).toBe(201);
    expect(created.json.backup).toMatchObject({
      name: "warden-bk_1",
      status: "BUILDING",
      type: "manual",
      instance_id: INSTANCE,
      begin_time: "2026-03-02T09:00:00+0000",
    });
    expect(created.json.backup).toHaveProperty("descriprion");
    expect(id).toMatch(/^[0-9a-f]{32}br07$/);
    expect(building.json).toMatchObject({
      total_count: 1,
      backups: [{ status: "BUILDING", size: 0 }],
    });
    expect(done.json.backups[0]).toMatchObject({
      status: "COMPLETED",
      end_time: "2026-03-02T09:00:10+0000",
    });
    expect(done.json.backups[0].size).toBeGreaterThan(0);
    expect(job.json.job).toMatchObject({
      status: "Completed",
      fail_reason: "",
      entities: { backup_id: id },
    });
  });

  it("refuses a second backup while one builds (409 DBS.200019) and clashing names", async () => {
    const { client, create } = await start({ jobDurationMs: 10_000 });
    await create("warden-one");

    const busy = await create("warden-two");
    client.advance(10_000);
    const clash = await create("warden-one");
    const bad = await create("1-starts-with-digit");

    expect(busy.status).toBe(409);
    expect(busy.json.error_code).toBe("DBS.200019");
    expect(clash).toMatchObject({ status: 409, json: { error_code: "DBS.201209" } });
    expect(bad.status).toBe(400);
  });

  it("keeps a deleted backup listed for deleteDurationMs, then drops it", async () => {
    const { client, base, create } = await start({ jobDurationMs: 1_000, deleteDurationMs: 5_000 });
    const { id, name } = (await create()).json.backup;
    const path = `${base}/backups/${id}`;

    const early = await client.call("DELETE", path);
    client.advance(1_000);
    const deleted = await client.call("DELETE", path);
    const during = await client.call("GET", `${base}/backups?backup_id=${id}`);
    client.advance(5_000);
    const after = await client.call("GET", `${base}/backups?backup_id=${id}`);
    const again = await client.call("DELETE", path);

    expect(early).toMatchObject({ status: 409, json: { error_code: "DBS.200019" } });
    expect(deleted).toMatchObject({ status: 200, json: { backup_id: id, backup_name: name } });
    expect(during.json).toMatchObject({ total_count: 1, backups: [{ status: "COMPLETED" }] });
    expect(after.json).toEqual({ backups: [], total_count: 0 });
    expect(again).toMatchObject({ status: 400, json: { error_code: "DBS.280124" } });
  });

  it("pages with offset/limit ≤ 100 and filters by instance and type", async () => {
    const { client, base, create } = await start({ jobDurationMs: 0 });
    for (let i = 0; i < 3; i += 1) {
      await create(`warden-b${i}`);
      client.advance(1_000);
    }

    const page = await client.call(
      "GET",
      `${base}/backups?instance_id=${INSTANCE}&offset=1&limit=1`,
    );
    const auto = await client.call("GET", `${base}/backups?backup_type=auto`);
    const tooMany = await client.call("GET", `${base}/backups?limit=101`);

    expect(page.json.total_count).toBe(3);
    expect(page.json.backups.map((b: { name: string }) => b.name)).toEqual(["warden-b1"]);
    expect(auto.json.total_count).toBe(0);
    expect(tooMany.status).toBe(400);
  });
});

describe("TaurusDB simulator: gateway, faults, persistence", () => {
  it("rejects a wrong SK, a stale X-Sdk-Date and no credentials with 401 APIGW.0301", async () => {
    const { sim, client, base } = await start({ sk: "right-secret" });
    const list = `${base}/backups`;

    const replies = [
      await client.call("GET", list, { keys: { ak: sim.ak, sk: "wrong-secret" } }),
      await client.call("GET", list, { signedAt: T0 - 16 * 60_000 }),
      await client.call("GET", list, { token: null }),
      await client.call("GET", list, { token: "not-a-token" }),
    ];
    const fresh = await client.call("GET", list, { signedAt: T0 - 14 * 60_000 });

    for (const reply of replies) {
      expect(reply.status).toBe(401);
      expect(reply.json.error_code).toBe("APIGW.0301");
      expect(JSON.stringify(reply.json)).not.toContain("right-secret");
    }
    expect(fresh.status).toBe(200);
  });

  it("fails the next backup on request and throttles with APIGW.0308 + Retry-After", async () => {
    const { sim, client, base, create } = await start({ jobDurationMs: 1_000 });
    sim.faults.add({ kind: "fail-next-backup", reason: "insufficient OBS quota" });
    sim.faults.add({ kind: "status", status: 429, retryAfterSeconds: 2, match: { method: "GET" } });

    const created = (await create()).json;
    client.advance(1_000);
    const throttled = await client.call("GET", `${base}/backups`);
    const listed = await client.call("GET", `${base}/backups?backup_id=${created.backup.id}`);
    const job = await client.call("GET", `${base}/jobs?id=${created.job_id}`);

    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("2");
    expect(throttled.json.error_code).toBe("APIGW.0308");
    expect(listed.json.backups[0].status).toBe("FAILED");
    expect(job.json.job).toMatchObject({ status: "Failed", fail_reason: "insufficient OBS quota" });
  });

  it("checks signature skew against gatewayNow, and seeds finished backups on demand", async () => {
    const wall = Date.parse("2026-11-23T12:00:00Z");
    const { sim, client, base } = await start({ gatewayNow: () => wall });

    const simClockSigned = await client.call("GET", `${base}/backups`);
    const wallSigned = await client.call("GET", `${base}/backups`, { signedAt: wall });
    const ids = sim.seedBackups(3);
    const listed = await client.call("GET", `${base}/backups?limit=2`, { signedAt: wall });

    expect(simClockSigned.status).toBe(401);
    expect(wallSigned.status).toBe(200);
    expect(listed.json.total_count).toBe(3);
    expect(listed.json.backups.map((b: { id: string }) => b.id)).toEqual([ids[2], ids[1]]);
    expect(listed.json.backups[0]).toMatchObject({
      status: "COMPLETED",
      begin_time: "2026-03-02T08:59:59+0000",
    });
  });

  it("keeps credentials and backups across a restart from its state file", async () => {
    const folder = await mkdtemp(join(tmpdir(), "taurus-sim-"));
    try {
      const stateFile = join(folder, "taurusdb.json");
      const first = await start({ stateFile, jobDurationMs: 10_000 });
      const { id } = (await first.create()).json.backup;
      await first.sim.close();

      const second = await start({ stateFile, jobDurationMs: 10_000 }, T0 + 10_000);
      const listed = await second.client.call("GET", `${second.base}/backups?backup_id=${id}`);

      expect(second.sim.ak).toBe(first.sim.ak);
      expect(second.sim.projectId).toBe(first.sim.projectId);
      expect(listed.json.backups[0].status).toBe("COMPLETED");
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
