import { describe, expect, it } from "vitest";
import { useHarness } from "../support/use-harness.ts";

/*
 * Restore drills on the real ASL, handlers, dynalite and the Zilliz simulator: the sweeper
 * starts the drills that are due; each restores the target's newest backup into a scratch
 * cluster, checks it, records the result on the backup and tears the cluster down — and
 * only that cluster — however it ends.
 */
describe("restore drills", () => {
  const h = useHarness({}, async (h) => {
    await h.zillizTarget("orders");
    const policy = await h.call("POST", "/v1/policies", {
      body: {
        id: "drilled",
        name: "drilled",
        schedule: { expression: "rate(1 day)" },
        targets: { ids: ["orders"] },
        retention: { last: 10 },
        verify: { every: "1h" },
      },
    });
    if (policy.status !== 201) throw new Error(`policy not created: ${policy.body}`);
  });

  async function available(): Promise<string> {
    const created = await h.call("POST", "/v1/targets/orders/backups");
    await h.starter.idle();
    return created.json.id;
  }

  const drillsOf = async (backupId: string) =>
    (await h.call("GET", `/v1/restores?backupId=${backupId}`)).json.items as Array<
      Record<string, unknown> & { id: string; drill?: { teardown: string } }
    >;

  it("restores the newest backup into a scratch cluster, records verifiedAt, and tears it down", async () => {
    const clusters = h.sim.clusterIds();
    const backupId = await available();
    expect((await h.container.sweeper.sweep()).drills).toBe(1);
    await h.starter.idle();
    const [drill] = await drillsOf(backupId);
    expect(drill).toMatchObject({
      status: "RESTORED",
      createdResource: true,
      drill: { teardown: "DONE", policyId: "drilled" },
    });
    const backup = (await h.call("GET", `/v1/backups/${backupId}`)).json;
    expect(backup.verification).toMatchObject({ result: "PASSED", restoreId: drill!.id });
    expect(backup.verifiedAt).toBe(backup.verification.at);
    expect(backup.restoringBy).toBeUndefined();
    // Nothing left behind, and nothing else touched.
    expect(h.sim.clusterIds()).toEqual(clusters);
    // Not due again within `every`.
    expect((await h.container.sweeper.sweep()).drills).toBe(0);
  });

  it("records a failed drill on the backup, announces it, and still leaves nothing behind", async () => {
    h.clock.advance(2 * 3_600_000);
    const clusters = h.sim.clusterIds();
    const backupId = await available();
    h.sim.faults.add({ kind: "fail-next-restore", reason: "no capacity for a new cluster" });
    expect((await h.container.sweeper.sweep()).drills).toBe(1);
    await h.starter.idle();
    const [drill] = await drillsOf(backupId);
    expect(drill).toMatchObject({ status: "RESTORE_FAILED", drill: { teardown: "DONE" } });
    const backup = (await h.call("GET", `/v1/backups/${backupId}`)).json;
    expect(backup.verification).toMatchObject({ result: "FAILED" });
    expect(backup.verification.detail).toContain("no capacity for a new cluster");
    expect(backup.verifiedAt).toBeUndefined();
    expect(h.sim.clusterIds()).toEqual(clusters);
    await h.functions.outbox.settled();
    expect(
      h.events.filter((e) => e.type === "restore.failed" && e.detail.restoreId === drill!.id),
    ).toHaveLength(1);
  });

  it("tears down exactly what it created when the process is killed mid-drill", async () => {
    h.clock.advance(2 * 3_600_000);
    const clusters = h.sim.clusterIds();
    const backupId = await available();
    expect((await h.container.sweeper.sweep()).drills).toBe(1);
    // Killed while the scratch cluster is being made: the execution is gone.
    for (let i = 0; i < 200 && h.sim.clusterIds().length === clusters.length; i++)
      await new Promise((r) => setTimeout(r, 5));
    await h.starter.stop();
    const scratch = h.sim.clusterIds().filter((c) => !clusters.includes(c));
    expect(scratch).toHaveLength(1);
    const [stuck] = await drillsOf(backupId);
    expect(stuck!.drill?.teardown).toBe("PENDING");

    // The sweeper finds the drill that stopped moving and starts it again: it settles, then
    // deletes the scratch cluster — the one it recorded — and no other.
    h.clock.advance(16 * 60_000);
    const sweep = await h.container.sweeper.sweep();
    expect(sweep.resumedRestores + sweep.teardowns).toBe(1);
    await h.starter.idle();
    const [done] = await drillsOf(backupId);
    expect(done!.drill?.teardown).toBe("DONE");
    expect(h.sim.clusterIds()).toEqual(clusters);
    const drops = h.sim.requests.filter((r) => r.method === "DELETE" && r.path.endsWith("/drop"));
    expect(drops.map((r) => r.path.split("/")[3])).toContain(scratch[0]);
    for (const c of clusters) expect(drops.map((r) => r.path.split("/")[3])).not.toContain(c);
  });

  it("drills a collection backup into the policy's designated scratch cluster, deleting nothing", async () => {
    const [own, scratch] = h.sim.clusters as [string, string];
    await h.zillizTarget("orders-coll", {
      resource: {
        clusterId: own,
        baseUrl: h.sim.url,
        scope: { type: "COLLECTION", collections: ["medium_articles"] },
      },
    });
    const policy = await h.call("POST", "/v1/policies", {
      body: {
        id: "coll-drilled",
        name: "coll-drilled",
        schedule: { expression: "rate(1 day)" },
        targets: { ids: ["orders-coll"] },
        retention: { last: 10 },
        verify: { every: "1h", scratch: { zillizClusterId: scratch } },
      },
    });
    expect(policy.status).toBe(201);
    const clusters = h.sim.clusterIds();
    const drops = () => h.sim.requests.filter((r) => r.path.endsWith("/drop")).length;
    const dropsBefore = drops();
    const created = await h.call("POST", "/v1/targets/orders-coll/backups");
    await h.starter.idle();
    const backupId = created.json.id as string;
    expect((await h.call("GET", `/v1/backups/${backupId}`)).json.status).toBe("AVAILABLE");
    await h.container.sweeper.sweep();
    await h.starter.idle();
    const [drill] = await drillsOf(backupId);
    expect(drill).toMatchObject({
      status: "RESTORED",
      destination: { clusterId: scratch },
      createdResource: false,
      overwrites: { resourceId: scratch },
      drill: { teardown: "DONE" },
    });
    expect((await h.call("GET", `/v1/backups/${backupId}`)).json.verifiedAt).toBeDefined();
    // The scratch cluster holds the restored collection, and nothing was dropped.
    const restored = h.sim
      .collectionsOf(scratch)
      .find((c) => c.collectionName === "medium_articles");
    expect(restored?.restoredFrom?.backupId).toBeDefined();
    expect(h.sim.clusterIds()).toEqual(clusters);
    expect(drops()).toBe(dropsBefore);
  });
});
