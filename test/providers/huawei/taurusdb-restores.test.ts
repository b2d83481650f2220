import { describe, expect, it } from "vitest";
import { ProviderError } from "../../../lib/core/provider-error.ts";
import { TaurusDbProvider } from "../../../lib/providers/huawei/taurusdb.ts";
import {
  rootPassword,
  TAURUSDB_RESTORE_TAG,
} from "../../../lib/providers/huawei/taurusdb-restores.ts";
import type { BackupRef, VendorRestores } from "../../../lib/providers/port.ts";
import {
  DEFAULT_TAURUSDB_INSTANCE,
  startTaurusDbSimulator,
  type TaurusDbSimulatorOptions,
} from "../../../sandbox/huawei/taurusdb.ts";
import { clientFor, T0 } from "../../sandbox/huawei/helpers.ts";
import { closeAfterEach } from "../../support/close-after-each.ts";
import { rejectionOf } from "../../support/rejections.ts";

const closeLater = closeAfterEach();
const SOURCE = DEFAULT_TAURUSDB_INSTANCE;
const OTHER = "0f1e2d3c4b5a69788796a5b4c3d2e1f0in07";

/** A simulator with two instances and an adapter for the first, on one hand-driven clock. */
async function start(options: TaurusDbSimulatorOptions = {}) {
  const clock = { value: T0 };
  const sim = closeLater(
    await startTaurusDbSimulator({
      now: () => clock.value,
      instances: [SOURCE, OTHER],
      jobDurationMs: 10_000,
      restoreDurationMs: 60_000,
      deleteDurationMs: 5_000,
      ...options,
    }),
  );
  const provider = new TaurusDbProvider({
    baseUrl: sim.url,
    credentials: { ak: sim.ak, sk: sim.sk },
    region: "ap-southeast-1",
    projectId: sim.projectId,
    instanceId: SOURCE,
    clock: { now: () => new Date(clock.value) },
    rateLimit: { requestsPerSecond: 1_000, burst: 1_000 },
  });
  const restores = provider.restores as VendorRestores;
  /** A finished backup of the source instance. */
  const backup = async (): Promise<BackupRef> => {
    const { ref } = await provider.createBackup({ backupId: "bk_01restoresource" });
    clock.value += 10_000;
    return ref;
  };
  return { sim, provider, restores, clock, backup, client: clientFor(sim, clock) };
}

const failure = (promise: Promise<unknown>) => rejectionOf(promise, ProviderError);

describe("TaurusDB restore over an existing instance", () => {
  it("previews what it replaces, restores in place, and creates no instance", async () => {
    const { sim, restores, clock, backup } = await start();
    const ref = await backup();
    const destination = { instanceId: OTHER };

    const preview = await restores.preview(ref, destination);
    const before = sim.instanceIds();
    const { ref: restore, state } = await restores.start({
      restoreId: "rs_01inplace",
      backup: ref,
      destination,
    });
    const running = await restores.status(restore);
    const during = await restores.describe(restore);
    clock.value += 60_000;
    const done = await restores.status(restore);
    const after = await restores.describe(restore);

    expect(preview.overwrites?.resourceId).toBe(OTHER);
    expect(preview.overwrites?.summary).toContain(`"taurus-0f1e2d" (${OTHER}`);
    expect(preview.overwrites?.summary).toContain(ref.backupId);
    expect(restore).toEqual({ jobId: expect.any(String), resourceId: OTHER, created: false });
    expect(state.status).toBe("RUNNING");
    expect(running.status).toBe("RUNNING");
    expect(during).toMatchObject({ exists: true, healthy: false, providerStatus: "RESTORING" });
    expect(done).toMatchObject({ status: "RESTORED", providerStatus: "Completed" });
    expect(after).toMatchObject({ exists: true, healthy: true, providerStatus: "ACTIVE" });
    expect(sim.instanceData(OTHER)).toEqual({ backupId: ref.backupId, restoredAt: T0 + 70_000 });
    expect(sim.instanceIds()).toEqual(before);
    expect((await failure(restores.deleteCreated(restore))).cls).toBe("INVALID");
    expect(sim.instanceIds()).toContain(OTHER);
    // Nothing of ours is kept on an in-place restore: it cannot be found again.
    expect(await restores.find("rs_01inplace", destination)).toBeUndefined();
  });

  it("refuses a missing instance, a busy one, and keeps a failed job's reason", async () => {
    const { sim, restores, clock, backup } = await start();
    const ref = await backup();

    const missing = await failure(
      restores.preview(ref, { instanceId: "ffffffffffffffffffffffffffffffffin07" }),
    );
    sim.faults.add({ kind: "fail-next-restore", reason: "disk full on the target" });
    const { ref: first } = await restores.start({
      restoreId: "rs_01first",
      backup: ref,
      destination: { instanceId: OTHER },
    });
    const busy = await failure(restores.preview(ref, { instanceId: OTHER }));
    clock.value += 60_000;
    const failed = await restores.status(first);

    expect(missing.cls).toBe("NOT_FOUND");
    expect(busy.cls).toBe("CONFLICT");
    expect(failed).toMatchObject({ status: "FAILED", failureReason: "disk full on the target" });
    expect(sim.instanceData(OTHER)).toBeNull();
  });
});

describe("TaurusDB restore to a new instance", () => {
  it("copies the source's shape, tags the instance, and never sends the password twice", async () => {
    const { sim, restores, backup, client } = await start();
    const ref = await backup();

    const { ref: restore } = await restores.start({
      restoreId: "rs_01shape",
      backup: ref,
      destination: { instanceName: "drill-shape", flavorRef: "gaussdb.mysql.2xlarge.x86.4" },
    });
    const detail = await client.call("GET", `/v3/${sim.projectId}/instances/${restore.resourceId}`);
    const source = await client.call("GET", `/v3/${sim.projectId}/instances/${SOURCE}`);

    expect(detail.json.instance).toMatchObject({
      name: "drill-shape",
      status: "BUILD",
      vpc_id: source.json.instance.vpc_id,
      subnet_id: source.json.instance.subnet_id,
      security_group_id: source.json.instance.security_group_id,
      master_az_code: source.json.instance.master_az_code,
      node_count: source.json.instance.node_count,
      tags: [{ key: TAURUSDB_RESTORE_TAG, value: "rs_01shape" }],
    });
    expect(detail.json.instance.nodes[0].flavor_ref).toBe("gaussdb.mysql.2xlarge.x86.4");
    const dump = await fetch(`${sim.url}/__sandbox/state`, {
      headers: { authorization: `Bearer ${sim.adminToken}` },
    });
    const text = await dump.text();
    expect(dump.status).toBe(200);
    expect(text).toContain("drill-shape");
    expect(text).not.toMatch(/password/i);
  });

  it("refuses an instance the restore did not create, even when told it did", async () => {
    const { restores } = await start();
    const untagged = { jobId: "j", resourceId: OTHER, created: true };
    const own = { jobId: "j", resourceId: SOURCE, created: true };

    expect((await failure(restores.deleteCreated(untagged))).cls).toBe("INVALID");
    expect((await failure(restores.deleteCreated(own))).cls).toBe("INVALID");
  });

  it("classes a refused create for quota as QUOTA", async () => {
    const { restores, backup } = await start({ instanceQuota: 2 });
    const ref = await backup();
    const error = await failure(
      restores.start({
        restoreId: "rs_01quota",
        backup: ref,
        destination: { instanceName: "drill-quota" },
      }),
    );
    expect(error.cls).toBe("QUOTA");
  });

  it("makes root passwords the documented rule accepts, each new", () => {
    const passwords = Array.from({ length: 50 }, rootPassword);
    for (const password of passwords) {
      expect(password).toMatch(/^[A-Za-z0-9~!@#%^*\-_=+?]{32}$/);
      for (const kind of [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/])
        expect(password).toMatch(kind);
    }
    expect(new Set(passwords).size).toBe(50);
  });
});
