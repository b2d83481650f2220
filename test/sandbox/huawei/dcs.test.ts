import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  type DcsSimulator,
  type DcsSimulatorOptions,
  DEFAULT_DCS_INSTANCES,
  startDcsSimulator,
} from "../../../sandbox/huawei/dcs.ts";
import { clientFor, T0 } from "./helpers.ts";

const sims: DcsSimulator[] = [];

async function start(options: DcsSimulatorOptions = {}) {
  const clock = { value: T0 };
  const sim = await startDcsSimulator({ now: () => clock.value, ...options });
  sims.push(sim);
  const client = clientFor(sim, clock);
  const [ha, single] = sim.instances.map((i) => i.instanceId);
  const path = (v: "v2" | "v1.0", instance = ha!) => `/${v}/${sim.projectId}/instances/${instance}`;
  return { sim, client, ha: ha!, single: single!, path };
}

afterEach(async () => {
  await Promise.all(sims.splice(0).map((sim) => sim.close()));
});

describe("DCS simulator: backups", () => {
  it("moves a record from waiting through backuping to succeed", async () => {
    const { client, path } = await start({ jobDurationMs: 10_000 });

    const created = await client.call("POST", `${path("v2")}/backups`, {
      body: { remark: "nightly", backup_format: "aof" },
    });
    const list = () => client.call("GET", `${path("v2")}/backups?offset=0&limit=10`);
    const waiting = await list();
    client.advance(5_500);
    const running = await list();
    client.advance(4_500);
    const done = await list();

    expect(created).toMatchObject({ status: 200, json: { backup_id: expect.any(String) } });
    expect(waiting.json.backup_record_response[0]).toMatchObject({
      backup_id: created.json.backup_id,
      status: "waiting",
      progress: "0.00",
      remark: "nightly",
      backup_format: "aof",
      backup_type: "manual",
    });
    expect(running.json.backup_record_response[0]).toMatchObject({
      status: "backuping",
      progress: "50.00",
    });
    expect(done.json).toMatchObject({
      total_num: 1,
      backup_record_response: [{ status: "succeed" }],
    });
    expect(done.json.backup_record_response[0].size).toBeGreaterThan(0);
  });

  it("keeps a deleted record listed: succeed until the delete lands, then deleted; then DCS.4031", async () => {
    const { client, path } = await start({ jobDurationMs: 1_000, deleteDurationMs: 3_000 });
    const { backup_id } = (await client.call("POST", `${path("v2")}/backups`, { body: {} })).json;
    const running = await client.call("DELETE", `${path("v2")}/backups/${backup_id}`);
    client.advance(1_000);

    const deleted = await client.call("DELETE", `${path("v2")}/backups/${backup_id}`);
    const during = await client.call("GET", `${path("v2")}/backups`);
    client.advance(3_000);
    const after = await client.call("GET", `${path("v2")}/backups`);
    const again = await client.call("DELETE", `${path("v2")}/backups/${backup_id}`);

    expect(running).toMatchObject({ status: 400, json: { error_code: "DCS.4096" } });
    expect(deleted.status).toBe(204);
    expect(deleted.json).toBeUndefined();
    expect(during.json.backup_record_response[0].status).toBe("succeed");
    expect(after.json.backup_record_response[0].status).toBe("deleted");
    expect(again).toMatchObject({ status: 400, json: { error_code: "DCS.4031" } });
  });

  it("speaks v1.0: start is 1-based and delete answers 200 {message: ''}", async () => {
    const { client, path } = await start({ jobDurationMs: 0 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      ids.push(
        (await client.call("POST", `${path("v1.0")}/backups`, { body: { remark: `b${i}` } })).json
          .backup_id,
      );
      client.advance(1_000);
    }

    const second = await client.call("GET", `${path("v1.0")}/backups?start=2&limit=1`);
    const zero = await client.call("GET", `${path("v1.0")}/backups?start=0`);
    const deleted = await client.call("DELETE", `${path("v1.0")}/backups/${ids[0]}`);

    expect(second.json.total_num).toBe(3);
    expect(second.json.backup_record_response.map((r: { remark: string }) => r.remark)).toEqual([
      "b1",
    ]);
    expect(zero.status).toBe(400);
    expect(deleted).toEqual(expect.objectContaining({ status: 200, json: { message: "" } }));
  });

  it("refuses single-node instances, a second running backup and unknown instances", async () => {
    const { client, path, single } = await start();

    const refused = await client.call("POST", `${path("v2", single)}/backups`, { body: {} });
    await client.call("POST", `${path("v2")}/backups`, { body: {} });
    const busy = await client.call("POST", `${path("v2")}/backups`, { body: {} });
    const unknown = await client.call(
      "GET",
      `${path("v2", "00000000-0000-0000-0000-000000000000")}/backups`,
    );
    const empty = await client.call("GET", `${path("v2", single)}/backups`);

    expect(refused).toMatchObject({ status: 400, json: { error_code: "DCS.4095" } });
    expect(busy).toMatchObject({ status: 400, json: { error_code: "DCS.4096" } });
    expect(unknown).toMatchObject({ status: 404, json: { error_code: "DCS.3022" } });
    expect(empty.status).toBe(204);
  });

  it("shows each instance's cache_mode and spec_code", async () => {
    const { client, path, single } = await start();

    const ha = await client.call("GET", path("v2"));
    const one = await client.call("GET", path("v2", single));

    expect(ha.json).toMatchObject({ cache_mode: "ha", spec_code: "redis.ha.xu1.large.r2.2" });
    expect(one.json).toMatchObject({ cache_mode: "single", spec_code: "redis.single.xu1.large.2" });
  });
});

describe("DCS simulator: gateway and faults", () => {
  it("rejects bad signatures and foreign projects, accepts a configured token", async () => {
    const { sim, client, path } = await start({ authToken: "iam-token-1" });

    const wrongKey = await client.call("GET", path("v2"), { keys: { ak: "NOPE", sk: sim.sk } });
    const tampered = await client.call("GET", path("v2"), { headers: { "x-project-id": "other" } });
    const foreign = await client.call(
      "GET",
      `/v2/${"0".repeat(32)}/instances/${sim.instances[0]!.instanceId}`,
    );
    const token = await client.call("GET", path("v2"), { token: "iam-token-1" });

    expect(wrongKey).toMatchObject({ status: 401, json: { error_code: "APIGW.0301" } });
    expect(tampered).toMatchObject({ status: 401, json: { error_code: "APIGW.0301" } });
    expect(foreign).toMatchObject({ status: 401, json: { error_code: "DCS.1004" } });
    expect(token.status).toBe(200);
  });

  it("seeds finished records on demand", async () => {
    const { sim, client, path } = await start();

    const ids = sim.seedBackups(2);
    const listed = await client.call("GET", `${path("v2")}/backups`);

    expect(listed.json.total_num).toBe(2);
    expect(
      listed.json.backup_record_response.map((r: { backup_id: string }) => r.backup_id),
    ).toEqual([ids[1], ids[0]]);
    expect(listed.json.backup_record_response[0]).toMatchObject({
      status: "succeed",
      remark: "seeded",
    });
  });

  it("fails the next backup with the fault's error code", async () => {
    const { sim, client, path } = await start({ jobDurationMs: 1_000 });
    sim.faults.add({ kind: "fail-next-backup", errorCode: "dcs.08.0005" });

    await client.call("POST", `${path("v2")}/backups`, { body: {} });
    client.advance(1_000);
    const listed = await client.call("GET", `${path("v2")}/backups`);

    expect(listed.json.backup_record_response[0]).toMatchObject({
      status: "failed",
      error_code: "dcs.08.0005",
    });
  });
});

describe("DCS simulator: persistence", () => {
  it("keeps credentials and records across a restart from its state file", async () => {
    const folder = await mkdtemp(join(tmpdir(), "dcs-sim-"));
    try {
      const stateFile = join(folder, "dcs.json");
      const first = await start({ stateFile, jobDurationMs: 0 });
      const { backup_id } = (
        await first.client.call("POST", `${first.path("v2")}/backups`, { body: {} })
      ).json;
      await first.sim.close();

      const second = await start({ stateFile });
      const listed = await second.client.call("GET", `${second.path("v2")}/backups`);

      expect([second.sim.ak, second.sim.sk, second.sim.projectId]).toEqual([
        first.sim.ak,
        first.sim.sk,
        first.sim.projectId,
      ]);
      expect(listed.json.backup_record_response).toEqual([
        expect.objectContaining({ backup_id, status: "succeed" }),
      ]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe("DCS simulator: restores", () => {
  /** A `succeed` backup of the master/standby instance, made through the API. */
  async function backedUp(options: DcsSimulatorOptions = {}) {
    const env = await start({ jobDurationMs: 1_000, restoreDurationMs: 10_000, ...options });
    const { backup_id } = (
      await env.client.call("POST", `${env.path("v2")}/backups`, { body: { remark: "b" } })
    ).json;
    env.client.advance(1_000);
    return { ...env, backupId: backup_id as string };
  }

  it("runs waiting → restoring → succeed; the instance is RESTORING, then holds the backup's data", async () => {
    const { sim, client, path, ha, backupId } = await backedUp();
    const show = () => client.call("GET", path("v2"));
    const before = (await show()).json.used_memory;
    sim.writeData(ha, before + 500);

    const created = await client.call("POST", `${path("v2")}/restores`, {
      body: { backup_id: backupId, remark: "backup-warden rs_1" },
    });
    const list = () => client.call("GET", `${path("v2")}/restores?offset=0&limit=10`);
    const waiting = await list();
    const during = await show();
    const backup = await client.call("POST", `${path("v2")}/backups`, { body: {} });
    const second = await client.call("POST", `${path("v2")}/restores`, {
      body: { backup_id: backupId },
    });
    client.advance(5_500);
    const restoring = await list();
    client.advance(4_500);
    const done = await list();
    const after = await show();

    expect(created).toMatchObject({ status: 200, json: { restore_id: expect.any(String) } });
    expect(waiting.json).toMatchObject({
      total_num: 1,
      restore_record_response: [
        {
          restore_id: created.json.restore_id,
          backup_id: backupId,
          restore_remark: "backup-warden rs_1",
          backup_remark: "b",
          status: "waiting",
          progress: "0.00",
        },
      ],
    });
    expect(during.json).toMatchObject({ status: "RESTORING", used_memory: before + 500 });
    expect(backup).toMatchObject({ status: 400, json: { error_code: "DCS.4097" } });
    expect(second).toMatchObject({ status: 400, json: { error_code: "DCS.4097" } });
    expect(restoring.json.restore_record_response[0]).toMatchObject({
      status: "restoring",
      progress: "50.00",
    });
    expect(done.json.restore_record_response[0]).toMatchObject({
      status: "succeed",
      error_code: "",
    });
    expect(after.json).toMatchObject({ status: "RUNNING", used_memory: before });
  });

  it("refuses a backup not yet succeed (DCS.4087), another instance's backup and a single-node instance", async () => {
    const { client, path, single, backupId } = await backedUp();
    const building = (await client.call("POST", `${path("v2")}/backups`, { body: {} })).json;

    const early = await client.call("POST", `${path("v2")}/restores`, {
      body: { backup_id: building.backup_id },
    });
    const foreign = await client.call("POST", `${path("v2", single)}/restores`, {
      body: { backup_id: backupId },
    });
    const missing = await client.call("POST", `${path("v2")}/restores`, { body: {} });
    const long = await client.call("POST", `${path("v2")}/restores`, {
      body: { backup_id: backupId, remark: "é".repeat(65) },
    });

    expect(early).toMatchObject({ status: 400, json: { error_code: "DCS.4087" } });
    expect(foreign).toMatchObject({ status: 400, json: { error_code: "DCS.4095" } });
    expect(missing).toMatchObject({ status: 400, json: { error_code: "DCS.4800" } });
    expect(long).toMatchObject({ status: 400, json: { error_code: "DCS.4800" } });
  });

  it("answers a backup the instance does not hold like a missing record (DCS.4031)", async () => {
    const ha2 = { ...DEFAULT_DCS_INSTANCES[0]!, instanceId: "other-ha", name: "other" };
    const { client, path, backupId } = await backedUp({
      instances: [...DEFAULT_DCS_INSTANCES, ha2],
    });
    const foreign = await client.call("POST", `${path("v2", "other-ha")}/restores`, {
      body: { backup_id: backupId },
    });
    expect(foreign).toMatchObject({ status: 400, json: { error_code: "DCS.4031" } });
  });

  it("fails the next restore with the fault's error code and leaves the data as it was", async () => {
    const { sim, client, path, ha, backupId } = await backedUp();
    sim.writeData(ha, 777);
    sim.faults.add({ kind: "fail-next-restore", reason: "dcs.08.0002" });
    await client.call("POST", `${path("v1.0")}/restores`, { body: { backup_id: backupId } });
    client.advance(10_000);

    const listed = await client.call("GET", `${path("v1.0")}/restores?start=1&limit=10`);
    const shown = await client.call("GET", path("v2"));

    expect(listed.json.restore_record_response[0]).toMatchObject({
      status: "failed",
      error_code: "dcs.08.0002",
    });
    expect(shown.json).toMatchObject({ status: "RUNNING", used_memory: 777 });
  });

  it("accepts the fault through the admin API and lists no records as an empty 200", async () => {
    const { sim, client, path } = await backedUp();
    const bad = await fetch(`${sim.url}/__sandbox/faults`, {
      method: "POST",
      headers: { authorization: `Bearer ${sim.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ kind: "fail-next-restore", reason: "not a code" }),
    });
    const good = await fetch(`${sim.url}/__sandbox/faults`, {
      method: "POST",
      headers: { authorization: `Bearer ${sim.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ kind: "fail-next-restore" }),
    });
    const empty = await client.call("GET", `${path("v2")}/restores`);

    expect(bad.status).toBe(400);
    expect(good.status).toBeLessThan(300);
    expect(empty).toMatchObject({
      status: 200,
      json: { total_num: 0, restore_record_response: [] },
    });
  });
});
