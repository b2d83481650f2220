import { describe, expect, it } from "vitest";
import { Keys } from "../../lib/store/keys.ts";
import { onSecondCluster, useHarness } from "../support/use-harness.ts";

describe("sweeper: the safety net", () => {
  const h = useHarness({}, (h) => h.zillizTarget("orders"));

  const get = async (id: string) => (await h.call("GET", `/v1/backups/${id}`)).json;

  it("retries a deletion that ended DELETE_FAILED until the vendor confirms it", async () => {
    const created = await h.call("POST", "/v1/targets/orders/backups");
    await h.starter.idle();
    // The vendor keeps failing every delete attempt the workflow makes.
    h.sim.faults.add({ kind: "status", status: 503, times: 50, match: { method: "DELETE" } });
    await h.call("DELETE", `/v1/backups/${created.json.id}`);
    await h.starter.idle();
    const failed = await get(created.json.id);
    expect(failed.status).toBe("DELETE_FAILED");
    expect(failed.lastError).toMatchObject({ class: "TRANSIENT" });
    h.sim.faults.clear();
    const summary = await h.container.sweeper.sweep();
    await h.starter.idle();
    expect(summary.deleteRetries).toBe(1);
    expect((await get(created.json.id)).status).toBe("DELETED");
  });

  it("cleans up the vendor backup a FAILED attempt left behind, an hour later", async () => {
    await h.zillizTarget("slow", { completionWindowMinutes: 5, ...onSecondCluster(h) });
    const created = await h.call("POST", "/v1/targets/slow/backups");
    h.clock.advance(10 * 60_000);
    await h.starter.idle();
    const failed = await get(created.json.id);
    expect(failed).toMatchObject({ status: "FAILED", lastError: { code: "TIMEOUT" } });
    expect(failed.providerBackupId).toBeDefined();
    // Not yet: the vendor job may still be finishing.
    expect((await h.container.sweeper.sweep()).cleanups).toBe(0);
    await new Promise((r) => setTimeout(r, 400)); // the simulated vendor job completes
    h.clock.advance(61 * 60_000);
    const summary = await h.container.sweeper.sweep();
    await h.starter.idle();
    expect(summary.cleanups).toBe(1);
    const cleaned = await get(created.json.id);
    expect(cleaned).toMatchObject({
      status: "DELETED",
      deleteReason: "cleanup of a failed attempt",
    });
    expect(cleaned.lastError).toMatchObject({ code: "TIMEOUT" });
  });
});

describe("sweeper: what it leaves alone", () => {
  const h = useHarness({}, (h) => h.zillizTarget("slow", { completionWindowMinutes: 5 }));

  it("leaves a held FAILED backup alone and goes on with the sweep", async () => {
    const created = await h.call("POST", "/v1/targets/slow/backups");
    h.clock.advance(10 * 60_000);
    await h.starter.idle();
    const get = async (id: string) => (await h.call("GET", `/v1/backups/${id}`)).json;
    expect(await get(created.json.id)).toMatchObject({
      status: "FAILED",
      lastError: { code: "TIMEOUT" },
    });
    const held = await h.call("PUT", `/v1/backups/${created.json.id}/hold`, {
      body: { reason: "audit" },
    });
    expect(held.status).toBe(200);
    h.clock.advance(61 * 60_000);
    const summary = await h.container.sweeper.sweep();
    expect(summary).toMatchObject({ cleanups: 0, errors: 0 });
    expect((await get(created.json.id)).status).toBe("FAILED");
  });
});

describe("sweeper: the tag index", () => {
  const h = useHarness({}, (h) => h.zillizTarget("indexed", { tags: { team: "a" } }));

  it("indexes a target written before the index existed, after which selectors Query it", async () => {
    const current = await h.container.targets.get("indexed");
    // A target item as an earlier version wrote it: no index entries, no marker.
    await h.table.db.put({
      TableName: h.table.table,
      Item: {
        ...Keys.target("older"),
        ...Keys.targetIndex(current.createdAt, "older"),
        entity: "target",
        ...current,
        id: "older",
      },
    });
    expect(await h.container.targets.tagIndexComplete()).toBe(false);

    const summary = await h.container.sweeper.sweep();

    expect(summary.indexedTargets).toBe(1);
    expect(await h.container.targets.tagIndexComplete()).toBe(true);
    expect((await h.container.targets.taggedIds("team", "a")).ids.sort()).toEqual([
      "indexed",
      "older",
    ]);
  });
});
