import { afterEach, describe, expect, it } from "vitest";
import { resourceKey } from "../../lib/core/target.ts";
import { ExpiryRepository } from "../../lib/store/expiry.ts";
import { LeaseRepository } from "../../lib/store/leases.ts";
import { launchBackup } from "../../lib/usecases/launch.ts";
import { type Harness, startHarness } from "../support/harness.ts";

// Regressions for an internal review's findings: each test failed before its fix.
let h: Harness;
afterEach(async () => {
  await h?.close();
});
const get = async (id: string) => (await h.call("GET", `/v1/backups/${id}`)).json;

describe("review regressions", () => {
  it("a held FAILED backup is left alone and does not stop the sweep", async () => {
    h = await startHarness();
    await h.zillizTarget("slow", { completionWindowMinutes: 5 });
    const created = await h.call("POST", "/v1/targets/slow/backups");
    h.clock.advance(10 * 60_000);
    await h.starter.idle();
    expect(await get(created.json.id)).toMatchObject({
      status: "FAILED",
      lastError: { code: "TIMEOUT" },
    });
    expect(
      (await h.call("PUT", `/v1/backups/${created.json.id}/hold`, { body: { reason: "audit" } }))
        .status,
    ).toBe(200);
    h.clock.advance(61 * 60_000);
    const summary = await h.container.sweeper.sweep();
    expect(summary).toMatchObject({ cleanups: 0, errors: 0 });
    expect((await get(created.json.id)).status).toBe("FAILED");
  });

  it("writes the expiry marker when a retried poll finds the backup already AVAILABLE", async () => {
    h = await startHarness();
    await h.zillizTarget("orders");
    const original = ExpiryRepository.prototype.put;
    let failOnce = true;
    ExpiryRepository.prototype.put = async function (marker) {
      if (failOnce) {
        failOnce = false;
        throw Object.assign(new Error("throughput exceeded"), {
          name: "ProvisionedThroughputExceededException",
        });
      }
      return original.call(this, marker);
    };
    try {
      const expiresAt = new Date(h.clock.now().getTime() + 60 * 60_000).toISOString();
      const a = await h.call("POST", "/v1/targets/orders/backups", { body: { expiresAt } });
      await h.starter.idle();
      const b = await h.call("POST", "/v1/targets/orders/backups");
      await h.starter.idle();
      expect((await get(a.json.id)).status).toBe("AVAILABLE");
      expect((await get(b.json.id)).status).toBe("AVAILABLE");
      expect(
        (await h.container.expiry.due(new Date(h.clock.now().getTime() + 2 * 60 * 60_000))).map(
          (m) => m.backupId,
        ),
      ).toContain(a.json.id);
    } finally {
      ExpiryRepository.prototype.put = original;
    }
  });

  it("re-launching a running backup id never shortens its lease", async () => {
    h = await startHarness({ jobDurationMs: 60_000 });
    await h.zillizTarget("orders", { completionWindowMinutes: 120 });
    const leases = new LeaseRepository({ db: h.table.db, table: h.table.table, clock: h.clock });
    const first = await h.call("POST", "/v1/targets/orders/backups");
    for (let i = 0; i < 100 && (await get(first.json.id)).status !== "CREATING"; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const target = await h.container.targets.get("orders");
    const before = await leases.find(resourceKey(target));
    await launchBackup(
      { backups: h.container.backups, leases, workflows: h.starter, clock: h.clock },
      target,
      { backupId: first.json.id, trigger: "schedule" },
    );
    expect((await leases.find(resourceKey(target)))?.expiresAtMs).toBe(before?.expiresAtMs);
    h.clock.advance(3 * 60_000);
    expect((await h.call("POST", "/v1/targets/orders/backups")).status).toBe(409);
    await h.starter.stop();
    await new Promise((r) => setTimeout(r, 300));
  });

  it("a delete workflow arriving late never deletes a backup that retention no longer expires", async () => {
    h = await startHarness();
    await h.zillizTarget("orders");
    const a = await h.call("POST", "/v1/targets/orders/backups");
    await h.starter.idle();
    await h.container.backups.transition(a.json.id, "EXPIRING", {
      deleteReason: "retention policy p",
    });
    await h.call("PUT", `/v1/backups/${a.json.id}/hold`, { body: { reason: "audit" } });
    await h.call("DELETE", `/v1/backups/${a.json.id}/hold`);
    expect((await get(a.json.id)).status).toBe("AVAILABLE");
    await expect(
      h.container.tasks.markDeleting({ backupId: a.json.id, reason: "retention policy p" }),
    ).rejects.toThrow(/cannot move from AVAILABLE to DELETING/);
    expect((await get(a.json.id)).status).toBe("AVAILABLE");
  });
});

describe("an Idempotency-Key whose first request died", () => {
  it("answers 409 while it may still be in flight, and is taken over once it is evidently dead", async () => {
    h = await startHarness();
    await h.zillizTarget("orders");
    const { IdempotencyRepository } = await import("../../lib/store/idempotency.ts");
    const { createHash } = await import("node:crypto");
    const repo = new IdempotencyRepository({
      db: h.table.db,
      table: h.table.table,
      clock: h.clock,
    });
    // The dead request reserved the key for a backup it never created.
    const hash = createHash("sha256").update(JSON.stringify({})).digest("hex");
    await repo.reserve("create-backup#orders", "nightly-1", hash, "bk_never_created");
    const headers = { "idempotency-key": "nightly-1" };
    expect((await h.call("POST", "/v1/targets/orders/backups", { headers })).status).toBe(409);
    h.clock.advance(3 * 60_000);
    const retried = await h.call("POST", "/v1/targets/orders/backups", { headers });
    expect(retried.status).toBe(202);
    expect(retried.json.id).not.toBe("bk_never_created");
    const again = await h.call("POST", "/v1/targets/orders/backups", { headers });
    expect(again.json.id).toBe(retried.json.id);
    await h.starter.idle();
  });
});
