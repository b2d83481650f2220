import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { BackupProvider, BackupRef, VendorRestores } from "../../lib/providers/port.ts";
import {
  failure,
  type RestoreHooks,
  type VendorEnv,
  type VendorRow,
  WRONG_KEY,
} from "./conformance-support.ts";
import { dcsEnv, pineconeEnv, taurusDbEnv, zillizEnv } from "./conformance-vendors.ts";

/**
 * The vendors every scenario below runs against, each on its own simulator.
 *
 * ADDING A VENDOR IS ONE ROW HERE, plus its simulator (sandbox) and its `VendorEnv`
 * starter in `conformance-vendors.ts`: start the simulator on a manual clock, say how to
 * build the target, and fill in the three vendor hooks (`failNextBackup`, `conflict`,
 * `inFlightAmong`) — the only places where the vendors genuinely differ. Every scenario
 * below then runs for it unchanged.
 */
const VENDORS: VendorRow[] = [
  { name: "zilliz", start: zillizEnv },
  { name: "pinecone", start: pineconeEnv },
  { name: "huawei-taurusdb", start: taurusDbEnv },
  { name: "huawei-dcs", start: dcsEnv },
];

/** The vendor list pages hold at most this many backups (Zilliz pageSize, Pinecone limit). */
const PAGE = 100;

describe.each(VENDORS)("$name adapter conformance", (row) => {
  let env: VendorEnv;
  let provider: BackupProvider;
  let unknown: BackupRef;
  beforeEach(async () => {
    env = await row.start();
    provider = await env.provider();
    unknown = { backupId: "00000000-0000-4000-8000-000000000000", resourceId: env.resourceId };
  });
  afterEach(async () => {
    await env.close();
  });

  /** Creates a backup and lets the vendor finish it. */
  async function available(): Promise<BackupRef> {
    const { ref } = await provider.createBackup({ backupId: "bk_01jd3xk5t9q2avail" });
    env.advance(env.backupMs);
    expect((await provider.getBackupStatus(ref)).status).toBe("AVAILABLE");
    return ref;
  }

  it("creates a backup and follows it to AVAILABLE with its size", async () => {
    const { ref, state } = await provider.createBackup({ backupId: "bk_01jd3xk5t9q2ok" });
    expect(ref.resourceId).toBe(env.resourceId);
    expect(["PENDING", "RUNNING"]).toContain(state.status);
    expect(["PENDING", "RUNNING"]).toContain((await provider.getBackupStatus(ref)).status);
    env.advance(env.backupMs);
    const done = await provider.getBackupStatus(ref);
    expect(done.status).toBe("AVAILABLE");
    expect(done.sizeBytes).toBeGreaterThan(0);
  });

  it("reports a failed backup as FAILED with the vendor's reason", async () => {
    const reason = env.failNextBackup();
    const { ref } = await provider.createBackup({ backupId: "bk_01jd3xk5t9q2fail" });
    env.advance(env.backupMs);
    const failed = await provider.getBackupStatus(ref);
    expect(failed.status).toBe("FAILED");
    expect(failed.failureReason).toContain(reason);
  });

  it("deletes a backup until it is DELETED; deleting it again is DELETED, not an error", async () => {
    const ref = await available();
    expect(["DELETED", "DELETING"]).toContain((await provider.deleteBackup(ref)).status);
    env.advance(env.deleteMs);
    expect((await provider.getBackupStatus(ref)).status).toBe("DELETED");
    expect(await provider.deleteBackup(ref)).toEqual({ status: "DELETED" });
  });

  it("treats a backup the vendor never had as DELETED, for delete and status alike", async () => {
    expect(await provider.deleteBackup(unknown)).toEqual({ status: "DELETED" });
    expect((await provider.getBackupStatus(unknown)).status).toBe("DELETED");
  });

  it("answers CONFLICT while the vendor is busy, and succeeds once it is free", async () => {
    const ref = await available();
    const freeAfterMs = await env.conflict.provoke(provider, ref);
    const attempt = () =>
      env.conflict.on === "create"
        ? provider.createBackup({ backupId: "bk_01jd3xk5t9q2second" })
        : provider.deleteBackup(ref);
    expect((await failure(attempt())).cls).toBe("CONFLICT");
    env.advance(freeAfterMs);
    await attempt();
    if (env.conflict.on === "delete") {
      env.advance(env.deleteMs);
      expect((await provider.getBackupStatus(ref)).status).toBe("DELETED");
    }
  });

  it("reports vendor throttling as THROTTLED with the Retry-After delay", async () => {
    env.faults.add({ kind: "status", status: 429, retryAfterSeconds: 3 });
    const error = await failure(provider.createBackup({ backupId: "bk_01jd3xk5t9q2slow" }));
    expect(error.cls).toBe("THROTTLED");
    expect(error.retryAfterMs).toBe(3_000);
  });

  it("reports refused credentials as AUTH without repeating them", async () => {
    const wrong = await env.provider({ badCredentials: true });
    const error = await failure(wrong.createBackup({ backupId: "bk_01jd3xk5t9q2auth" }));
    expect(error.cls).toBe("AUTH");
    expect(error.message).not.toContain(WRONG_KEY);
  });

  it(`lists a backup among more than ${PAGE} backups, ours told apart where the vendor labels`, async () => {
    const since = new Date(env.now());
    const inFlight = await env.inFlightAmong(PAGE + 20, async () => {
      return (await provider.createBackup({ backupId: "bk_01jd3xk5t9q2inflight" })).ref;
    });
    // Lists need not carry a job id, so the backup and its resource are what must match.
    const found = await provider.listBackups({ since });
    const mine = found.filter((b) => b.ref.backupId === inFlight.backupId);
    expect(mine.map((b) => [b.ref.backupId, b.ref.resourceId])).toEqual([
      [inFlight.backupId, inFlight.resourceId],
    ]);
    expect(mine[0]?.ownerId).toBe(provider.labelsBackups ? "bk_01jd3xk5t9q2inflight" : undefined);
  });

  it("reports a vendor slower than the timeout as TRANSIENT", async () => {
    const impatient = await env.provider({ timeoutMs: 150 });
    env.faults.add({ kind: "delay", delayMs: 2_000 });
    const error = await failure(impatient.getBackupStatus(unknown));
    expect(error.cls).toBe("TRANSIENT");
    expect(error.message).toMatch(/within 150 ms/);
  });
});

/**
 * Restores, for every row whose adapter has them: the same scenarios for all, and the
 * row's {@link RestoreHooks} for what differs. A row without them is listed, and fails.
 */
describe.each(VENDORS)("$name restore conformance", (row) => {
  let env: VendorEnv;
  let provider: BackupProvider;
  let hooks: RestoreHooks;
  let restores: VendorRestores;
  beforeEach(async () => {
    env = await row.start();
    provider = await env.provider();
    if (!env.restore || !provider.restores)
      throw new Error(`${row.name}: no restore hooks or no provider.restores`);
    hooks = env.restore;
    restores = provider.restores;
  });
  afterEach(async () => {
    await env.close();
  });

  async function available(): Promise<BackupRef> {
    const { ref } = await provider.createBackup({ backupId: "bk_01jd3xk5t9q2rsavail" });
    env.advance(env.backupMs);
    expect((await provider.getBackupStatus(ref)).status).toBe("AVAILABLE");
    return ref;
  }

  it("previews, restores an AVAILABLE backup to RESTORED, and the resource is there and healthy", async () => {
    const backup = await available();
    const destination = hooks.destination();
    const preview = await restores.preview(backup, destination);
    if (hooks.overwrites) {
      expect(preview.overwrites?.resourceId).toBeTruthy();
      expect(preview.overwrites?.summary.length).toBeGreaterThan(10);
    } else expect(preview.overwrites).toBeUndefined();
    const before = hooks.resources();
    const { ref, state } = await restores.start({
      restoreId: "rs_01jd3xk5t9q2ok",
      backup,
      destination,
    });
    expect(state.status).toBe("RUNNING");
    expect(ref.created).toBe(!hooks.overwrites);
    expect((await restores.status(ref)).status).toBe("RUNNING");
    env.advance(hooks.restoreMs);
    expect((await restores.status(ref)).status).toBe("RESTORED");
    const restored = await restores.describe(ref);
    expect(restored).toMatchObject({ exists: true, healthy: true });
    if (hooks.overwrites) expect(hooks.resources()).toEqual(before);
    else expect(hooks.resources()).toEqual([...before, ref.resourceId]);
  });

  it("reports a failed restore job as FAILED with the vendor's reason", async () => {
    const backup = await available();
    const reason = hooks.failNextRestore();
    const { ref } = await restores.start({
      restoreId: "rs_01jd3xk5t9q2fail",
      backup,
      destination: hooks.destination(),
    });
    env.advance(hooks.restoreMs);
    const failed = await restores.status(ref);
    expect(failed.status).toBe("FAILED");
    expect(failed.failureReason).toContain(reason);
  });

  it("refuses a backup still being made, and a destination the vendor cannot use", async () => {
    const { ref: building } = await provider.createBackup({ backupId: "bk_01jd3xk5t9q2rsbuild" });
    const early = await failure(
      restores.start({
        restoreId: "rs_01jd3xk5t9q2early",
        backup: building,
        destination: hooks.destination(),
      }),
    );
    expect(early.cls).toBe(hooks.notCompleteCls);
    env.advance(env.backupMs);
    const { destination, cls } = hooks.unusable();
    expect((await failure(restores.preview(building, destination))).cls).toBe(cls);
    expect(
      (
        await failure(
          restores.start({ restoreId: "rs_01jd3xk5t9q2bad", backup: building, destination }),
        )
      ).cls,
    ).toBe(cls);
  });

  it("finds a restore it started by our id, as after a lost answer", async () => {
    const backup = await available();
    const destination = hooks.destination();
    const { ref } = await restores.start({ restoreId: "rs_01jd3xk5t9q2lost", backup, destination });
    const found = await restores.find("rs_01jd3xk5t9q2lost", destination);
    expect(found).toEqual(hooks.findsJob === false ? { ...ref, jobId: "" } : ref);
    expect((await restores.status(found!)).status).toBe("RUNNING");
    expect(await restores.find("rs_01jd3xk5t9q2never", destination)).toBeUndefined();
  });

  it("deletes only a resource the restore created; an existing one is refused and stays", async () => {
    const backup = await available();
    const { ref } = await restores.start({
      restoreId: "rs_01jd3xk5t9q2drill",
      backup,
      destination: hooks.destination(),
    });
    env.advance(hooks.restoreMs);
    expect((await restores.status(ref)).status).toBe("RESTORED");
    if (ref.created) {
      expect(["DELETED", "DELETING"]).toContain((await restores.deleteCreated(ref)).status);
      env.advance(env.deleteMs);
      expect(hooks.resources()).not.toContain(ref.resourceId);
      expect(await restores.deleteCreated(ref)).toEqual({ status: "DELETED" });
    }
    const existing = { ...ref, resourceId: env.resourceId, created: false };
    expect((await failure(restores.deleteCreated(existing))).cls).toBe("INVALID");
    expect(hooks.resources()).toContain(env.resourceId);
  });
});
