import { afterEach, describe, expect, it } from "vitest";
import type { BackupProvider, BackupRef } from "../../lib/providers/port.ts";
import { restoredClusterName } from "../../lib/providers/zilliz/restores.ts";
import { startZillizSimulator, type ZillizSimulator } from "../../sandbox/zilliz.ts";
import { failure, registryAdapter, simulatorClock } from "./conformance-support.ts";

/**
 * Zilliz restores beyond the shared scenarios (which restore a cluster backup into a new
 * cluster): restoreCollection over an existing cluster, and how the simulator refuses a
 * restoreCluster (docs/providers.md §1.7).
 */
const [SOURCE, OTHER] = ["in01-7b3f9c2e5a1d804", "in01-5e1d0a9c3b7f226"];
const RESTORE_MS = 30_000;

let sim: ZillizSimulator;
let clock: ReturnType<typeof simulatorClock>;

async function start(options: { cuQuota?: number } = {}) {
  clock = simulatorClock();
  sim = await startZillizSimulator({
    now: clock.now,
    clusters: [SOURCE, OTHER],
    collections: ["medium_articles", "product_images"],
    jobDurationMs: 10_000,
    restoreDurationMs: RESTORE_MS,
    ...options,
  });
}

function adapter(scope: Record<string, unknown>): Promise<BackupProvider> {
  return registryAdapter({
    provider: "zilliz",
    resource: { clusterId: SOURCE, baseUrl: sim.url, scope },
    secret: { apiKey: sim.apiKey },
  });
}

async function availableBackup(provider: BackupProvider): Promise<BackupRef> {
  const { ref } = await provider.createBackup({ backupId: "bk_01jd3xk5t9q2coll" });
  clock.advance(10_000);
  expect((await provider.getBackupStatus(ref)).status).toBe("AVAILABLE");
  return ref;
}

afterEach(async () => {
  await sim?.close();
});

describe("Zilliz restoreCollection", () => {
  it("previews what it overwrites, then replaces the existing cluster's collections", async () => {
    await start();
    const provider = await adapter({ type: "COLLECTION", collections: ["medium_articles"] });
    const restores = provider.restores!;
    const backup = await availableBackup(provider);
    const destination = { clusterId: OTHER };

    const preview = await restores.preview(backup, destination);
    expect(preview.overwrites?.resourceId).toBe(OTHER);
    expect(preview.overwrites?.summary).toContain("Dedicated-02");
    expect(preview.overwrites?.summary).toContain(OTHER);
    expect(preview.overwrites?.summary).toContain("medium_articles");
    expect(preview.overwrites?.summary).not.toContain("product_images");

    const before = sim.clusterIds();
    const { ref, state } = await restores.start({
      restoreId: "rs_01jd3xk5t9q2coll",
      backup,
      destination,
    });
    expect(ref).toMatchObject({ resourceId: OTHER, created: false });
    expect(state.status).toBe("RUNNING");
    // Nothing is written until the job ends.
    expect(sim.collectionsOf(OTHER)).toEqual([
      { collectionName: "medium_articles" },
      { collectionName: "product_images" },
    ]);

    clock.advance(RESTORE_MS);
    expect((await restores.status(ref)).status).toBe("RESTORED");
    expect(sim.collectionsOf(OTHER)).toEqual([
      {
        collectionName: "medium_articles",
        restoredFrom: { backupId: backup.backupId, jobId: ref.jobId },
      },
      { collectionName: "product_images" },
    ]);
    expect(await restores.describe(ref)).toMatchObject({ exists: true, healthy: true });
    // No cluster is made, none is dropped, and the existing one is refused as a drill's.
    expect(sim.clusterIds()).toEqual(before);
    expect((await failure(restores.deleteCreated(ref))).cls).toBe("INVALID");
    expect(sim.clusterIds()).toContain(OTHER);
    // Nothing of ours stays on the cluster: a lost collection restore is not found.
    expect(await restores.find("rs_01jd3xk5t9q2coll", destination)).toBeUndefined();
  });

  it("refuses a destination cluster that does not exist (NOT_FOUND) and a backup still being made (CONFLICT)", async () => {
    await start();
    const provider = await adapter({ type: "COLLECTION", collections: ["medium_articles"] });
    const restores = provider.restores!;
    const { ref: building } = await provider.createBackup({ backupId: "bk_01jd3xk5t9q2bld" });
    const start_ = (destination: Record<string, unknown>) =>
      restores.start({ restoreId: "rs_01jd3xk5t9q2x", backup: building, destination });
    expect((await failure(restores.preview(building, { clusterId: OTHER }))).cls).toBe("CONFLICT");
    expect((await failure(start_({ clusterId: OTHER }))).cls).toBe("CONFLICT");
    clock.advance(10_000);
    expect(
      (await failure(restores.preview(building, { clusterId: "in01-000000000000000" }))).cls,
    ).toBe("NOT_FOUND");
    expect((await failure(start_({ clusterId: "in01-000000000000000" }))).cls).toBe("NOT_FOUND");
  });
});

describe("Zilliz restoreCluster refusals", () => {
  const destination = { clusterName: "restore-drill", cuSize: 2 };

  it("refuses the same restore twice (its name is taken: CONFLICT) and a CU quota exhausted (QUOTA)", async () => {
    await start({ cuQuota: 5 });
    const provider = await adapter({ type: "CLUSTER" });
    const restores = provider.restores!;
    const backup = await availableBackup(provider);
    const first = await restores.start({ restoreId: "rs_01jd3xk5t9q2one", backup, destination });
    expect(sim.collectionsOf(first.ref.resourceId)).toEqual([]);
    const again = await failure(
      restores.start({ restoreId: "rs_01jd3xk5t9q2one", backup, destination }),
    );
    expect(again.cls).toBe("CONFLICT");
    expect(again.providerCode).toBe("96017");
    // 2 configured clusters of 1 CU and 2 restored: 4 of 5 CUs, so 2 more do not fit.
    const quota = await failure(
      restores.start({ restoreId: "rs_01jd3xk5t9q2two", backup, destination }),
    );
    expect(quota.cls).toBe("QUOTA");
    expect(sim.clusterIds()).toEqual([SOURCE, OTHER, first.ref.resourceId]);

    clock.advance(RESTORE_MS);
    expect(sim.collectionsOf(first.ref.resourceId).map((c) => c.collectionName)).toEqual([
      "medium_articles",
      "product_images",
    ]);
  });

  it("names the new cluster after the destination and our restore id, and refuses names Zilliz refuses", async () => {
    await start();
    const provider = await adapter({ type: "CLUSTER" });
    const restores = provider.restores!;
    const backup = await availableBackup(provider);
    expect(restoredClusterName("restore-drill", "rs_01jd3xk5t9q2abcdefgh")).toBe(
      "restore-drill-q2abcdefgh",
    );
    const { ref } = await restores.start({
      restoreId: "rs_01jd3xk5t9q2abcdefgh",
      backup,
      destination,
    });
    const described = (await fetch(`${sim.url}/v2/clusters/${ref.resourceId}`, {
      headers: { authorization: `Bearer ${sim.apiKey}` },
    }).then((r) => r.json())) as { data: unknown };
    expect(described.data).toMatchObject({
      clusterName: "restore-drill-q2abcdefgh",
      status: "CREATING",
      cuSize: 2,
    });
    const bad = { clusterName: "restore_drill", cuSize: 1 };
    expect((await failure(restores.preview(backup, bad))).cls).toBe("INVALID");
    expect(
      (await failure(restores.start({ restoreId: "rs_01jd3xk5t9q2bad", backup, destination: bad })))
        .cls,
    ).toBe("INVALID");
  });
});
