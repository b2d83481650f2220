import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../lib/core/errors.ts";
import { ProviderError } from "../../../lib/core/provider-error.ts";
import type { DcsResource } from "../../../lib/core/vendors.ts";
import { DcsProvider, isSingleNode, restoreRemark } from "../../../lib/providers/huawei/dcs.ts";
import { type DcsSimulatorOptions, startDcsSimulator } from "../../../sandbox/huawei/dcs.ts";
import { clientFor, T0 } from "../../sandbox/huawei/helpers.ts";
import { closeAfterEach } from "../../support/close-after-each.ts";
import { rejectionOf } from "../../support/rejections.ts";

const closeLater = closeAfterEach();

/** A simulator and an adapter for one of its instances, sharing a hand-driven clock. */
async function start(
  options: DcsSimulatorOptions = {},
  resource: Partial<DcsResource> & { pick?: "ha" | "single" } = {},
) {
  const clock = { value: T0 };
  const sim = closeLater(await startDcsSimulator({ now: () => clock.value, ...options }));
  const { pick = "ha", ...rest } = resource;
  const instance = sim.instances.find((i) => i.cacheMode === pick)!;
  const provider = (overrides: Partial<DcsResource> = {}) =>
    new DcsProvider({
      baseUrl: sim.url,
      credentials: { ak: sim.ak, sk: sim.sk },
      region: "ap-southeast-1",
      projectId: sim.projectId,
      resource: {
        region: "ap-southeast-1",
        projectId: sim.projectId,
        instanceId: instance.instanceId,
        apiVersion: "v2",
        ...rest,
        ...overrides,
      },
      clock: { now: () => new Date(clock.value) },
      rateLimit: { requestsPerSecond: 1_000, burst: 1_000 },
    });
  return { sim, clock, provider: provider(), build: provider, client: clientFor(sim, clock) };
}

describe("DCS adapter against the simulator", () => {
  it("creates, polls waiting → backuping → succeed, deletes (204) and sees deleted", async () => {
    const { provider, clock } = await start({ jobDurationMs: 10_000, deleteDurationMs: 3_000 });

    const { ref, state } = await provider.createBackup({ backupId: "bk_1" });
    const waiting = await provider.getBackupStatus(ref);
    clock.value += 5_500;
    const running = await provider.getBackupStatus(ref);
    clock.value += 4_500;
    const available = await provider.getBackupStatus(ref);
    const deletion = await provider.deleteBackup(ref);
    const stillSucceed = await provider.getBackupStatus(ref);
    clock.value += 3_000;
    const deleted = await provider.getBackupStatus(ref);
    const again = await provider.deleteBackup(ref);

    expect(state).toEqual({ status: "PENDING", providerStatus: "waiting" });
    expect(waiting).toMatchObject({ status: "PENDING", providerStatus: "waiting", progress: 0 });
    expect(running).toMatchObject({ status: "RUNNING", progress: 50 });
    expect(available).toMatchObject({ status: "AVAILABLE", providerStatus: "succeed" });
    expect(available.sizeBytes).toBeGreaterThan(0);
    expect(deletion).toEqual({ status: "DELETING" });
    // `succeed` after an accepted delete: the workflow reads it as DELETING (§6.2).
    expect(stillSucceed.status).toBe("AVAILABLE");
    expect(deleted).toEqual({ status: "DELETED", providerStatus: "deleted" });
    // DCS.4031 (400) on delete means "already deleted".
    expect(again).toEqual({ status: "DELETED" });
  });

  it("speaks v1.0 when the target asks: 1-based start and delete answering 200 {message: ''}", async () => {
    const { sim, provider, clock } = await start({ jobDurationMs: 1_000 }, { apiVersion: "v1.0" });

    const { ref } = await provider.createBackup({ backupId: "bk_1" });
    clock.value += 1_000;
    const available = await provider.getBackupStatus(ref);
    const deletion = await provider.deleteBackup(ref);

    expect(available.status).toBe("AVAILABLE");
    expect(deletion).toEqual({ status: "DELETING" });
    expect(sim.requests.map((r) => `${r.method} ${r.path.split("/")[1]} ${r.status}`)).toEqual([
      "POST v1.0 200",
      "GET v1.0 200",
      "DELETE v1.0 200",
    ]);
    expect(sim.requests[1]!.search).toContain("start=1");
  });

  it("reports a failed backup with the record's error code explained", async () => {
    const { sim, provider, clock } = await start({ jobDurationMs: 1_000 });
    sim.faults.add({ kind: "fail-next-backup", errorCode: "dcs.08.0005" });

    const { ref } = await provider.createBackup({ backupId: "bk_1" });
    clock.value += 1_000;

    expect(await provider.getBackupStatus(ref)).toMatchObject({
      status: "FAILED",
      providerStatus: "failed",
      failureReason: "dcs.08.0005: creating the OBS bucket failed",
    });
  });

  it("treats a backup missing from every page (or a 204 list) as DELETED", async () => {
    const { provider, client, sim, clock } = await start({ jobDurationMs: 0 });
    const empty = await provider.getBackupStatus({ backupId: "nope", resourceId: "x" });
    const path = `/v2/${sim.projectId}/instances/${sim.instances[0]!.instanceId}/backups`;
    for (let i = 0; i < 101; i += 1) {
      await client.call("POST", path, { body: { remark: `r${i}` } });
      clock.value += 1_000;
    }
    sim.requests.length = 0;

    const missing = await provider.getBackupStatus({ backupId: "nope", resourceId: "x" });

    expect(empty).toEqual({ status: "DELETED", providerStatus: "NOT_LISTED" });
    expect(missing.status).toBe("DELETED");
    expect(sim.requests.map((r) => new URLSearchParams(r.search).get("offset"))).toEqual([
      "0",
      "100",
    ]);
  });

  it("tells our backups by their remark", async () => {
    const { provider, client, sim, clock } = await start({ jobDurationMs: 60_000 });
    const since = new Date(clock.value);
    const { ref } = await provider.createBackup({ backupId: "bk_lost" });

    const ours = await provider.listBackups({ since });
    clock.value += 60_000;
    const foreign = await client.call(
      "POST",
      `/v2/${sim.projectId}/instances/${ref.resourceId}/backups`,
      {
        body: { remark: "made in the console" },
      },
    );
    const both = await provider.listBackups({ since });

    expect(ours.map((b) => [b.ref, b.ownerId, b.automatic])).toEqual([[ref, "bk_lost", false]]);
    expect(foreign.status).toBe(200);
    expect(both.map((b) => b.ownerId).sort()).toEqual(["bk_lost", undefined]);
  });

  it("classifies conflicts, bad signatures and throttling", async () => {
    const { sim, provider } = await start();
    await provider.createBackup({ backupId: "bk_1" });
    sim.faults.add({ kind: "status", status: 429, retryAfterSeconds: 1 });
    const forged = new DcsProvider({
      baseUrl: sim.url,
      region: "ap-southeast-1",
      projectId: sim.projectId,
      credentials: { ak: sim.ak, sk: "forged-secret" },
      resource: {
        region: "ap-southeast-1",
        projectId: sim.projectId,
        instanceId: "i",
        apiVersion: "v2",
      },
    });

    const throttled = await rejectionOf(
      provider.listBackups({ since: new Date(T0) }),
      ProviderError,
    );
    const busy = await rejectionOf(provider.createBackup({ backupId: "bk_2" }), ProviderError);
    const auth = await rejectionOf(
      forged.deleteBackup({ backupId: "b", resourceId: "i" }),
      ProviderError,
    );

    expect([throttled.cls, throttled.retryAfterMs]).toEqual(["THROTTLED", 1_000]);
    expect([busy.cls, busy.providerCode]).toEqual(["CONFLICT", "DCS.4096"]);
    expect([auth.cls, auth.providerCode]).toEqual(["AUTH", "APIGW.0301"]);
    expect(auth.message).not.toContain("forged-secret");
  });
});

describe("DCS target validation", () => {
  it("accepts a master/standby instance", async () => {
    const { provider } = await start();

    await expect(provider.validateTarget()).resolves.toBeUndefined();
  });

  it("refuses a single-node instance with an actionable 4xx", async () => {
    const { provider } = await start({}, { pick: "single" });

    const error = await rejectionOf(provider.validateTarget(), ValidationError);

    expect(error.status).toBe(400);
    expect(error.message).toMatch(/single-node/);
    expect(error.issues[0]!.message).toMatch(/master\/standby or cluster/);
  });

  it("refuses an instance that does not exist", async () => {
    const { build } = await start();

    const error = await rejectionOf(
      build({ instanceId: "00000000-0000-0000-0000-000000000000" }).validateTarget(),
      ValidationError,
    );

    expect(error.message).toMatch(/does not exist/);
  });

  it("reads single-node from cache_mode, else from the flavour code", () => {
    expect(isSingleNode({ cache_mode: "single", spec_code: "redis.ha.x" })).toBe(true);
    expect(isSingleNode({ cache_mode: "ha", spec_code: "redis.single.x" })).toBe(false);
    expect(isSingleNode({ spec_code: "redis.single.xu1.large.2" })).toBe(true);
    expect(isSingleNode({ spec_code: "dcs.single_node" })).toBe(true);
    expect(isSingleNode({ spec_code: "redis.cluster.xu1.large.r2.4" })).toBe(false);
    expect(isSingleNode({})).toBe(false);
  });
});

describe("DCS restores", () => {
  /** An adapter with a `succeed` backup of its instance. */
  async function withBackup(resource: Partial<DcsResource> = {}) {
    const env = await start({ jobDurationMs: 1_000, restoreDurationMs: 10_000 }, resource);
    const { ref } = await env.provider.createBackup({ backupId: "bk_1" });
    env.clock.value += 1_000;
    const restores = env.provider.restores!;
    const destination = { instanceId: ref.resourceId };
    return { ...env, backup: ref, restores, destination };
  }

  it("previews what is overwritten: name, id, engine, type, capacity and used memory", async () => {
    const { restores, backup, destination, sim } = await withBackup();
    const { overwrites } = await restores.preview(backup, destination);
    const instance = sim.instances.find((i) => i.instanceId === backup.resourceId)!;

    expect(overwrites?.resourceId).toBe(backup.resourceId);
    expect(overwrites?.summary).toContain(`"${instance.name}" (${instance.instanceId})`);
    expect(overwrites?.summary).toContain("Redis 5.0, ha, 2 GB");
    expect(overwrites?.summary).toMatch(/holds \d+ MB of 2048 MB/);
  });

  it("refuses any instance but the backup's own, in preview and start, before calling DCS", async () => {
    const { restores, backup, sim } = await withBackup();
    const other = sim.instances.find((i) => i.instanceId !== backup.resourceId)!.instanceId;
    const calls = sim.requests.length;

    const preview = await rejectionOf(
      restores.preview(backup, { instanceId: other }),
      ProviderError,
    );
    const started = await rejectionOf(
      restores.start({ restoreId: "rs_1", backup, destination: { instanceId: other } }),
      ProviderError,
    );

    expect([preview.cls, started.cls]).toEqual(["INVALID", "INVALID"]);
    expect(preview.message).toMatch(/only into the instance it was made of/);
    expect(sim.requests.length).toBe(calls);
  });

  it("previews CONFLICT while a backup or a restore runs, INVALID for a backup not yet done", async () => {
    const { restores, backup, destination, provider, clock } = await withBackup();
    const { ref: building } = await provider.createBackup({ backupId: "bk_2" });

    const notDone = await rejectionOf(restores.preview(building, destination), ProviderError);
    const busy = await rejectionOf(restores.preview(backup, destination), ProviderError);
    clock.value += 1_000;
    await restores.start({ restoreId: "rs_1", backup, destination });
    const restoring = await rejectionOf(restores.preview(backup, destination), ProviderError);
    const startAgain = await rejectionOf(
      restores.start({ restoreId: "rs_2", backup, destination }),
      ProviderError,
    );

    expect(notDone.cls).toBe("INVALID");
    expect(busy.cls).toBe("CONFLICT");
    expect(restoring).toMatchObject({ cls: "CONFLICT" });
    expect(restoring.message).toMatch(/RESTORING/);
    expect(startAgain).toMatchObject({ cls: "CONFLICT", providerCode: "DCS.4097" });
  });

  it("restores over v1.0 too, finds it by the remark, and reports the instance's data after", async () => {
    const { restores, backup, destination, clock, sim, client } = await withBackup({
      apiVersion: "v1.0",
    });
    const { ref } = await restores.start({
      restoreId: "rs_01abc",
      backup,
      destination: { ...destination, remark: "quarterly drill" },
    });
    const running = await restores.status(ref);
    clock.value += 10_000;
    const done = await restores.status(ref);
    const described = await restores.describe(ref);
    const listed = await client.call(
      "GET",
      `/v2/${sim.projectId}/instances/${backup.resourceId}/restores`,
    );

    expect(running).toMatchObject({ status: "RUNNING" });
    expect(done).toMatchObject({ status: "RESTORED", providerStatus: "succeed", progress: 100 });
    expect(described).toMatchObject({ exists: true, healthy: true, providerStatus: "RUNNING" });
    expect(described.sizeBytes).toBeGreaterThan(0);
    expect(listed.json.restore_record_response[0].restore_remark).toBe(
      "backup-warden rs_01abc quarterly drill",
    );
    expect(await restores.find("rs_01abc", destination)).toEqual(ref);
    expect(await restores.find("rs_01ab", destination)).toBeUndefined();
  });

  it("reports a failed restore with its error code explained, an unlisted one as FAILED", async () => {
    const { restores, backup, destination, clock, sim } = await withBackup();
    sim.faults.add({ kind: "fail-next-restore", reason: "dcs.08.0002" });
    const { ref } = await restores.start({ restoreId: "rs_1", backup, destination });
    clock.value += 10_000;

    expect(await restores.status(ref)).toMatchObject({
      status: "FAILED",
      failureReason: "dcs.08.0002: the restore timed out",
    });
    expect(await restores.status({ ...ref, jobId: "gone" })).toMatchObject({
      status: "FAILED",
      providerStatus: "NOT_LISTED",
    });
  });

  it("never deletes: a DCS restore creates no instance", async () => {
    const { restores, backup } = await withBackup();
    const refused = await rejectionOf(
      restores.deleteCreated({ jobId: "x", resourceId: backup.resourceId, created: true }),
      ProviderError,
    );
    expect(refused.cls).toBe("INVALID");
  });

  it("keeps the remark within 128 bytes, ours first", () => {
    expect(restoreRemark("rs_1")).toBe("backup-warden rs_1");
    expect(restoreRemark("rs_1", "  ")).toBe("backup-warden rs_1");
    const long = restoreRemark("rs_1", "é".repeat(200));
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(128);
    expect(long.startsWith("backup-warden rs_1 é")).toBe(true);
  });
});
