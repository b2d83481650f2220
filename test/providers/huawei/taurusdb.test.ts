import { describe, expect, it } from "vitest";
import { ProviderError } from "../../../lib/core/provider-error.ts";
import type { HuaweiCredentials } from "../../../lib/providers/huawei/credentials.ts";
import { TaurusDbProvider, taurusDbBackupName } from "../../../lib/providers/huawei/taurusdb.ts";
import {
  DEFAULT_TAURUSDB_INSTANCE,
  startTaurusDbSimulator,
  type TaurusDbSimulatorOptions,
} from "../../../sandbox/huawei/taurusdb.ts";
import { clientFor, T0 } from "../../sandbox/huawei/helpers.ts";
import { closeAfterEach } from "../../support/close-after-each.ts";
import { rejectionOf } from "../../support/rejections.ts";

const closeLater = closeAfterEach();

/** A simulator and an adapter sharing one hand-driven clock. */
async function start(options: TaurusDbSimulatorOptions = {}, credentials?: HuaweiCredentials) {
  const clock = { value: T0 };
  const sim = closeLater(await startTaurusDbSimulator({ now: () => clock.value, ...options }));
  const provider = new TaurusDbProvider({
    baseUrl: sim.url,
    credentials: credentials ?? { ak: sim.ak, sk: sim.sk },
    region: "ap-southeast-1",
    projectId: sim.projectId,
    instanceId: DEFAULT_TAURUSDB_INSTANCE,
    clock: { now: () => new Date(clock.value) },
    // The shared client-side limiter (5 rps) is not what these tests are about.
    rateLimit: { requestsPerSecond: 1_000, burst: 1_000 },
  });
  return { sim, provider, clock, client: clientFor(sim, clock) };
}

const failure = (promise: Promise<unknown>) => rejectionOf(promise, ProviderError);

describe("TaurusDB adapter against the simulator", () => {
  it("creates, polls to AVAILABLE with the size in bytes, deletes and sees it gone", async () => {
    const { provider, clock } = await start({ jobDurationMs: 10_000, deleteDurationMs: 5_000 });

    const { ref, state } = await provider.createBackup({ backupId: "bk_01abc" });
    const building = await provider.getBackupStatus(ref);
    clock.value += 10_000;
    const available = await provider.getBackupStatus(ref);
    const deletion = await provider.deleteBackup(ref);
    const stillListed = await provider.getBackupStatus(ref);
    clock.value += 5_000;
    const gone = await provider.getBackupStatus(ref);
    const again = await provider.deleteBackup(ref);

    expect(ref).toMatchObject({ resourceId: DEFAULT_TAURUSDB_INSTANCE, jobId: expect.any(String) });
    expect(state).toEqual({ status: "RUNNING", providerStatus: "BUILDING" });
    expect(building.status).toBe("RUNNING");
    expect(available).toMatchObject({ status: "AVAILABLE", providerStatus: "COMPLETED" });
    expect(available.sizeBytes).toBeGreaterThan(50 * 1024 * 1024);
    expect(deletion).toEqual({ status: "DELETING" });
    expect(stillListed.status).toBe("AVAILABLE");
    expect(gone).toEqual({ status: "DELETED", providerStatus: "NOT_LISTED" });
    expect(again).toEqual({ status: "DELETED" });
  });

  it("asks the job while the backup is not listed yet, and keeps a failed job's reason", async () => {
    const replies: unknown[] = [
      { backups: [], total_count: 0 },
      { job: { id: "j1", status: "Running" } },
      { backups: [], total_count: 0 },
      { job: { id: "j1", status: "Failed", fail_reason: "no space left" } },
    ];
    const provider = new TaurusDbProvider({
      baseUrl: "https://gaussdbformysql.ap-southeast-1.myhuaweicloud.com",
      fetch: async () =>
        Response.json(replies.shift(), { headers: { "content-type": "application/json" } }),
      credentials: { ak: "AK", sk: "SK" },
      region: "ap-southeast-1",
      projectId: "0123456789abcdef0123456789abcdef",
      instanceId: DEFAULT_TAURUSDB_INSTANCE,
    });
    const ref = { backupId: "b1", resourceId: DEFAULT_TAURUSDB_INSTANCE, jobId: "j1" };

    expect(await provider.getBackupStatus(ref)).toEqual({
      status: "RUNNING",
      providerStatus: "job Running",
    });
    expect(await provider.getBackupStatus(ref)).toEqual({
      status: "DELETED",
      providerStatus: "job Failed",
      failureReason: "no space left",
    });
  });

  it("names backups from our id so they are valid TaurusDB names", () => {
    expect(taurusDbBackupName("bk_01jd3xyz")).toBe("warden-bk_01jd3xyz");
    expect(taurusDbBackupName("a.b c")).toBe("warden-a-b-c");
    expect(taurusDbBackupName("x".repeat(80))).toHaveLength(64);
  });

  it("reports a failed backup with the job's fail_reason", async () => {
    const { sim, provider, clock } = await start({ jobDurationMs: 1_000 });
    sim.faults.add({ kind: "fail-next-backup", reason: "disk quota exceeded" });

    const { ref } = await provider.createBackup({ backupId: "bk_1" });
    clock.value += 1_000;

    expect(await provider.getBackupStatus(ref)).toEqual({
      status: "FAILED",
      providerStatus: "FAILED",
      failureReason: "disk quota exceeded",
    });
  });

  it("classifies a second create as CONFLICT and a delete while building as CONFLICT", async () => {
    const { provider } = await start();
    const { ref } = await provider.createBackup({ backupId: "bk_1" });

    const busy = await failure(provider.createBackup({ backupId: "bk_2" }));
    const early = await failure(provider.deleteBackup(ref));

    expect([busy.cls, busy.providerCode, busy.httpStatus]).toEqual(["CONFLICT", "DBS.200019", 409]);
    expect(early.cls).toBe("CONFLICT");
  });

  it("is AUTH on a bad signature and never puts the secret key in the message", async () => {
    const { sim } = await start();
    const { provider } = await start(
      { ak: sim.ak, sk: "the-real-secret" },
      { ak: sim.ak, sk: "a-wrong-secret" },
    );

    const error = await failure(provider.getBackupStatus({ backupId: "x", resourceId: "y" }));

    expect([error.cls, error.providerCode, error.httpStatus]).toEqual(["AUTH", "APIGW.0301", 401]);
    expect(error.message).not.toMatch(/a-wrong-secret|the-real-secret/);
  });

  it("is THROTTLED with Retry-After, and TRANSIENT on 5xx", async () => {
    const { sim, provider } = await start();
    sim.faults.add({ kind: "status", status: 429, retryAfterSeconds: 3 });
    sim.faults.add({ kind: "status", status: 503 });

    const throttled = await failure(provider.createBackup({ backupId: "bk_1" }));
    const unavailable = await failure(provider.createBackup({ backupId: "bk_1" }));

    expect([throttled.cls, throttled.providerCode, throttled.retryAfterMs]).toEqual([
      "THROTTLED",
      "APIGW.0308",
      3_000,
    ]);
    expect(unavailable.cls).toBe("TRANSIENT");
  });

  it("signs every request afresh, so calls 20 minutes apart both pass the skew check", async () => {
    const { provider, clock } = await start({ jobDurationMs: 0 });
    const { ref } = await provider.createBackup({ backupId: "bk_1" });

    clock.value += 20 * 60_000;

    expect((await provider.getBackupStatus(ref)).status).toBe("AVAILABLE");
  });

  it("lists backups since a time, paging through the whole list, ours told by their name", async () => {
    const { provider, clock, client, sim } = await start({ jobDurationMs: 1_000 });
    const create = (name: string) =>
      client.call("POST", `/v3/${sim.projectId}/backups/create`, {
        body: { instance_id: DEFAULT_TAURUSDB_INSTANCE, name },
      });
    for (let i = 0; i < 100; i += 1) {
      expect((await create(`other-${i}`)).status).toBe(201);
      clock.value += 1_000;
    }
    const since = new Date(clock.value);
    // Ours carry our label in the description, as the adapter writes it.
    const ours = (
      await client.call("POST", `/v3/${sim.projectId}/backups/create`, {
        body: {
          instance_id: DEFAULT_TAURUSDB_INSTANCE,
          name: "warden-bk_adopt",
          description: "backup-warden bk_adopt",
        },
      })
    ).json.backup.id;
    sim.requests.length = 0;

    const found = await provider.listBackups({ since });

    // A minute of slack for clock skew: the last 60 of the others are listed too.
    expect(found).toHaveLength(61);
    expect(found.filter((b) => b.ownerId).map((b) => [b.ref, b.ownerId, b.state.status])).toEqual([
      [{ backupId: ours, resourceId: DEFAULT_TAURUSDB_INSTANCE }, "bk_adopt", "RUNNING"],
    ]);
    expect(
      sim.requests.slice(0, 2).map((r) => new URLSearchParams(r.search).get("offset")),
    ).toEqual(["0", "100"]);
  });
});
