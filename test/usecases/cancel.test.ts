import { describe, expect, it } from "vitest";
import { resourceKey } from "../../lib/core/target.ts";
import { useHarness } from "../support/use-harness.ts";

/*
 * One caller must not be able to hold a resource for days (issue "4 of 7", item 7): a
 * backup still being made can be cancelled — FAILED (CANCELLED), its lease released at
 * once, its workflow ending at its next step, what the vendor made deleted at the next
 * sweep — and no completion window goes past the deployment's cap.
 */

describe("cancelling a backup, and the completion window's cap", () => {
  const h = useHarness({ jobDurationMs: 1_500 }, (h) => h.zillizTarget("orders"));

  async function creating(id: string) {
    for (let i = 0; i < 200; i++) {
      const record = await h.container.backups.get(id);
      if (record.status === "CREATING" && record.providerBackupId) return record;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`${id} was not CREATING with a vendor backup within 2 s`);
  }

  /**
   * Cancelling stops our side only: Zilliz's job runs on, and Zilliz refuses another manual
   * backup of the cluster (96038) until it ends. The harness retries conflicts in 5 ms, not
   * 60 s, so the next backup waits for the vendor here rather than exhaust its retries.
   */
  async function vendorJobEnded(providerBackupId: string | undefined) {
    for (let i = 0; i < 500; i++) {
      const job = h.sim.inventory().find((b) => b.backupId === providerBackupId);
      if (job?.status !== "CREATING") return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`vendor backup ${providerBackupId} was still CREATING after 5 s`);
  }

  it("settles a running backup FAILED (CANCELLED), frees its resource, and cleans up the vendor side", async () => {
    const first = await h.call("POST", "/v1/targets/orders/backups");
    const running = await creating(first.json.id);

    const cancelled = await h.call("POST", `/v1/backups/${first.json.id}/cancel`);

    expect(cancelled.status).toBe(200);
    expect(cancelled.json).toMatchObject({
      status: "FAILED",
      lastError: { code: "CANCELLED", message: "cancelled by test operator" },
    });
    const target = await h.container.targets.get("orders");
    expect(await h.container.leases.find(resourceKey(target))).toBeUndefined();
    // The resource is ours again at once (no lease); once Zilliz's job has ended, the next
    // backup is accepted, not refused 409, and runs.
    await vendorJobEnded(running.providerBackupId);
    const next = await h.call("POST", "/v1/targets/orders/backups");
    expect(next.status).toBe(202);
    await h.starter.idle();
    expect((await h.container.backups.get(next.json.id)).status).toBe("AVAILABLE");
    // The cancelled backup's workflow ended without touching it again.
    expect(await h.container.backups.get(first.json.id)).toMatchObject({
      status: "FAILED",
      lastError: { code: "CANCELLED" },
    });

    await h.container.sweeper.sweep();
    await h.starter.idle();

    expect(await h.container.backups.get(first.json.id)).toMatchObject({
      status: "DELETED",
      deleteReason: "cleanup of a failed attempt",
    });
    expect(h.sim.inventory().map((b) => b.backupId)).not.toContain(running.providerBackupId);
  });

  it("answers a repeated cancel with the same record, and refuses a settled backup with 409", async () => {
    const made = await h.call("POST", "/v1/targets/orders/backups");
    const running = await creating(made.json.id);
    const once = await h.call("POST", `/v1/backups/${made.json.id}/cancel`);
    const twice = await h.call("POST", `/v1/backups/${made.json.id}/cancel`);
    await h.starter.idle();
    await vendorJobEnded(running.providerBackupId);
    const done = await h.call("POST", "/v1/targets/orders/backups");
    await h.starter.idle();

    const refused = await h.call("POST", `/v1/backups/${done.json.id}/cancel`);

    expect(twice.json).toEqual(once.json);
    expect(refused.status).toBe(409);
    expect(refused.json.detail).toBe(
      `backup ${done.json.id} is AVAILABLE; only a backup still being made (PENDING or CREATING) can be cancelled — delete it instead`,
    );
  });

  it("refuses a completion window above the deployment's cap, and holds older targets to it", async () => {
    const refused = await h.call("POST", "/v1/targets", {
      body: {
        id: "week-long",
        name: "week-long",
        provider: "zilliz",
        secretRef: "sandbox/zilliz",
        resource: { clusterId: h.sim.clusters[1], baseUrl: h.sim.url },
        completionWindowMinutes: 7 * 24 * 60,
      },
    });
    expect(refused.status).toBe(422);
    expect(refused.json.errors).toEqual([
      {
        path: "completionWindowMinutes",
        message:
          "10080 is above this deployment's cap of 2880 minutes (WARDEN_MAX_COMPLETION_WINDOW_HOURS)",
      },
    ]);

    // Registered before the cap (straight into the table): its backups get 48 hours.
    const orders = await h.container.targets.get("orders");
    await h.container.targets.create({
      ...orders,
      id: "legacy",
      resource: { ...orders.resource, clusterId: h.sim.clusters[1] },
      completionWindowMinutes: 7 * 24 * 60,
    } as typeof orders);
    const backup = await h.call("POST", "/v1/targets/legacy/backups");
    await h.starter.idle();
    const record = await h.container.backups.get(backup.json.id);
    expect(Date.parse(record.deadlineAt) - Date.parse(record.createdAt)).toBe(48 * 3_600_000);
  });
});
