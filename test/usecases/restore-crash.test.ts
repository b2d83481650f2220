import { describe, expect, it } from "vitest";
import { useHarness } from "../support/use-harness.ts";

/*
 * Restores when things break, on the real ASL, handlers, dynalite and the Zilliz
 * simulator: a vendor job that fails, a step whose answer was lost after the vendor was
 * asked (found again, never a second restore), and a restore whose workflow died (the
 * sweeper resumes it). Each ends settled, its backup's mark lifted.
 */
describe("restores under faults", () => {
  const h = useHarness({}, async (h) => {
    await h.zillizTarget("orders");
  });

  async function available(): Promise<string> {
    const created = await h.call("POST", "/v1/targets/orders/backups");
    await h.starter.idle();
    expect((await h.call("GET", `/v1/backups/${created.json.id}`)).json.status).toBe("AVAILABLE");
    return created.json.id;
  }

  const restoreOf = (backupId: string, clusterName: string) =>
    h.call("POST", `/v1/backups/${backupId}/restores`, {
      body: { destination: { clusterName, cuSize: 1 } },
    });

  it("settles RESTORE_FAILED with the vendor's reason, announced once, the backup free again", async () => {
    const backupId = await available();
    h.sim.faults.add({ kind: "fail-next-restore", reason: "insufficient CU in region" });
    const accepted = await restoreOf(backupId, "doomed");
    expect(accepted.status).toBe(202);
    await h.starter.idle();
    const failed = (await h.call("GET", `/v1/restores/${accepted.json.id}`)).json;
    expect(failed.status).toBe("RESTORE_FAILED");
    expect(failed.lastError.message).toContain("insufficient CU in region");
    expect((await h.call("GET", `/v1/backups/${backupId}`)).json.restoringBy).toBeUndefined();
    await h.functions.outbox.settled();
    const announced = h.events.filter(
      (e) => e.type === "restore.failed" && e.detail.eventId.includes(accepted.json.id),
    );
    expect(announced).toHaveLength(1);
  });

  it("settles RESTORE_FAILED through the Catch when the vendor keeps failing the start", async () => {
    const backupId = await available();
    h.sim.faults.add({
      kind: "status",
      status: 503,
      times: 50,
      match: { method: "POST", path: "/v2/clusters/*/backups/*/restoreCluster" },
    });
    const accepted = await restoreOf(backupId, "unlucky");
    await h.starter.idle();
    h.sim.faults.clear();
    const failed = (await h.call("GET", `/v1/restores/${accepted.json.id}`)).json;
    expect(failed.status).toBe("RESTORE_FAILED");
    expect(failed.lastError.class).toBe("TRANSIENT");
    expect(failed.providerJobId).toBeUndefined();
    expect((await h.call("GET", `/v1/backups/${backupId}`)).json.restoringBy).toBeUndefined();
  });

  it("finds the vendor's restore again after a lost answer, and never starts a second one", async () => {
    const backupId = await available();
    const before = h.sim.clusterIds().length;
    const seen = h.sim.requests.length;
    // The vendor takes the restore, but its answer never reaches the step.
    h.sim.faults.add({
      kind: "drop-response",
      match: { method: "POST", path: "/v2/clusters/*/backups/*/restoreCluster" },
    });
    const accepted = await restoreOf(backupId, "once");
    await h.starter.idle();
    const restored = (await h.call("GET", `/v1/restores/${accepted.json.id}`)).json;
    expect([restored.status, restored.lastError?.message]).toEqual(["RESTORED", undefined]);
    // One restore at the vendor: the retried step looked first, and adopted it.
    const starts = h.sim.requests.slice(seen).filter((r) => r.path.endsWith("/restoreCluster"));
    expect(starts).toHaveLength(1);
    expect(h.sim.clusterIds().length).toBe(before + 1);
    expect(restored.providerResourceId).toBe(h.sim.clusterIds().at(-1));
  });

  it("resumes a restore whose workflow died, from the sweeper", async () => {
    const backupId = await available();
    // Written as the API would, but no workflow ever started (a crash right after).
    const now = h.clock.now();
    const id = "rs_01jd3resumeme0000000000000";
    await h.container.backups.markRestoring(backupId, id);
    await h.container.restores.create({
      id,
      backupId,
      targetId: "orders",
      provider: "zilliz",
      status: "PENDING",
      destination: { clusterName: "resumed", cuSize: 1 },
      requestedBy: "test",
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      deadlineAt: new Date(now.getTime() + 6 * 3_600_000).toISOString(),
      history: [{ at: now.toISOString(), status: "PENDING", cause: "requested by test" }],
      version: 0,
    });
    // Not yet stale: left alone.
    expect((await h.container.sweeper.sweep()).resumedRestores).toBe(0);
    h.clock.advance(16 * 60_000);
    expect((await h.container.sweeper.sweep()).resumedRestores).toBe(1);
    await h.starter.idle();
    expect((await h.call("GET", `/v1/restores/${id}`)).json.status).toBe("RESTORED");
    expect((await h.call("GET", `/v1/backups/${backupId}`)).json.restoringBy).toBeUndefined();
  });

  it("lifts a backup's restore mark that outlived its restore (a crash before the record)", async () => {
    const backupId = await available();
    await h.container.backups.markRestoring(backupId, "rs_01jd3neverwritten000000000");
    expect((await h.call("DELETE", `/v1/backups/${backupId}`)).status).toBe(409);
    h.clock.advance(16 * 60_000);
    expect((await h.container.sweeper.sweep()).freedMarks).toBe(1);
    expect((await h.call("GET", `/v1/backups/${backupId}`)).json.restoringBy).toBeUndefined();
  });
});
