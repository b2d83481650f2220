import { beforeEach, describe, expect, it } from "vitest";
import { resumeInFlight } from "../../lib/usecases/recover.ts";
import { onSecondCluster, useHarness } from "../support/use-harness.ts";

describe("backup lifecycle on the Zilliz simulator (real ASL, handlers and dynalite)", () => {
  const h = useHarness({}, (h) => h.zillizTarget("orders"));
  beforeEach(async () => {
    h.sim.faults.clear();
    await h.starter.idle();
  });

  const createPosts = () =>
    h.sim.requests.filter((r) => r.method === "POST" && r.path.endsWith("/backups/create")).length;

  it("creates a backup and follows it to AVAILABLE with its size, then frees the cluster", async () => {
    const accepted = await h.call("POST", "/v1/targets/orders/backups");
    expect(accepted.status).toBe(202);
    expect(accepted.json).toMatchObject({ status: "PENDING", trigger: "api", targetId: "orders" });
    await h.starter.idle();
    const done = await h.call("GET", `/v1/backups/${accepted.json.id}`);
    expect(done.json.status).toBe("AVAILABLE");
    expect(done.json.providerBackupId).toMatch(/^backup/);
    expect(done.json.sizeBytes).toBeGreaterThan(0);
    expect(done.json.progress).toBe(100);
    expect(await h.container.backups.list({ status: "CREATING" })).toEqual({ items: [] });
    const next = await h.call("POST", "/v1/targets/orders/backups");
    expect(next.status).toBe(202);
    await h.starter.idle();
  });

  it("ends FAILED with the vendor's reason when the vendor job fails", async () => {
    h.sim.faults.add({ kind: "fail-next-job", reason: "insufficient storage quota in region" });
    const accepted = await h.call("POST", "/v1/targets/orders/backups");
    await h.starter.idle();
    const failed = (await h.call("GET", `/v1/backups/${accepted.json.id}`)).json;
    expect(failed.status).toBe("FAILED");
    expect(failed.lastError).toMatchObject({ class: "FAILED" });
    expect(failed.lastError.message).toContain("insufficient storage quota in region");
  });

  it("retries a throttled vendor and still completes", async () => {
    const before = createPosts();
    h.sim.faults.add({
      kind: "status",
      status: 429,
      retryAfterSeconds: 1,
      times: 2,
      match: { method: "POST" },
    });
    h.sim.faults.add({
      kind: "status",
      status: 503,
      times: 1,
      match: { method: "GET", path: "/v2/jobs/**" },
    });
    const accepted = await h.call("POST", "/v1/targets/orders/backups");
    await h.starter.idle();
    expect((await h.call("GET", `/v1/backups/${accepted.json.id}`)).json.status).toBe("AVAILABLE");
    expect(createPosts() - before).toBe(3);
  });

  it("fails fast, without retrying, when the credentials are wrong", async () => {
    h.secrets.set("sandbox/zilliz-wrong", { vendor: "zilliz", apiKey: "not-the-key" });
    await h.zillizTarget("orders-badkey", { secretRef: "sandbox/zilliz-wrong" });
    const before = createPosts();
    const accepted = await h.call("POST", "/v1/targets/orders-badkey/backups");
    await h.starter.idle();
    const failed = (await h.call("GET", `/v1/backups/${accepted.json.id}`)).json;
    expect(failed.status).toBe("FAILED");
    expect(failed.lastError).toMatchObject({ code: "ProviderAuth", class: "AUTH" });
    expect(failed.lastError.message).not.toContain("not-the-key");
    // One attempt, answered 401, and no retry.
    expect(createPosts() - before).toBe(1);
    expect(h.sim.requests.at(-1)?.status).toBe(401);
  });

  it("lets one of two concurrent requests for one cluster run and answers the other 409", async () => {
    const [a, b] = await Promise.all([
      h.call("POST", "/v1/targets/orders/backups"),
      h.call("POST", "/v1/targets/orders/backups"),
    ]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    const refused = a.status === 409 ? a : b;
    expect(refused.headers["content-type"]).toBe("application/problem+json");
    expect(refused.json).toMatchObject({ status: 409, code: "LEASE_HELD" });
    await h.starter.idle();
  });

  it("returns the same backup for a repeated Idempotency-Key and 422 for a changed body", async () => {
    const headers = { "idempotency-key": "nightly-2026-11-23" };
    const first = await h.call("POST", "/v1/targets/orders/backups", { headers });
    const second = await h.call("POST", "/v1/targets/orders/backups", { headers });
    expect(second.status).toBe(202);
    expect(second.json.id).toBe(first.json.id);
    expect(second.headers["idempotent-replayed"]).toBe("true");
    const changed = await h.call("POST", "/v1/targets/orders/backups", {
      headers,
      body: { expiresAt: "2030-01-01T00:00:00.000Z" },
    });
    expect(changed.status).toBe(422);
    await h.starter.idle();
    const all = await h.container.backups.list({ targetId: "orders", limit: 100 });
    expect(all.items.filter((b) => b.id === first.json.id)).toHaveLength(1);
    expect(h.outcomes.filter((o) => o.name.includes(first.json.id))).toHaveLength(1);
  });

  it("deletes a backup at the vendor and keeps a DELETED tombstone; a second delete changes nothing", async () => {
    const created = await h.call("POST", "/v1/targets/orders/backups");
    await h.starter.idle();
    const id = created.json.id as string;
    const providerBackupId = (await h.call("GET", `/v1/backups/${id}`)).json
      .providerBackupId as string;
    const deleting = await h.call("DELETE", `/v1/backups/${id}`);
    expect(deleting.status).toBe(202);
    expect(deleting.json.status).toBe("DELETING");
    await h.starter.idle();
    const tombstone = (await h.call("GET", `/v1/backups/${id}`)).json;
    expect(tombstone).toMatchObject({ status: "DELETED", deleteReason: "api (test operator)" });
    expect(tombstone.deletedAt).toBeDefined();
    const vendor = await fetch(
      `${h.sim.url}/v2/clusters/${h.sim.clusters[0]}/backups/${providerBackupId}`,
      {
        headers: { authorization: `Bearer ${h.sim.apiKey}` },
      },
    );
    expect(JSON.stringify(await vendor.json())).toMatch(/DELETED|not found/);
    const executions = h.outcomes.length;
    const again = await h.call("DELETE", `/v1/backups/${id}`);
    expect(again.status).toBe(202);
    expect(again.json.status).toBe("DELETED");
    await h.starter.idle();
    expect(h.outcomes.length).toBe(executions);
  });

  it("refuses to delete a backup that is still being created", async () => {
    const created = await h.call("POST", "/v1/targets/orders/backups");
    const refused = await h.call("DELETE", `/v1/backups/${created.json.id}`);
    expect(refused.status).toBe(409);
    await h.starter.idle();
  });

  it("turns a job stuck past the completion window into FAILED (timeout)", async () => {
    // Its own cluster: the vendor job outlives the timeout and must not block other tests.
    await h.zillizTarget("slow", { completionWindowMinutes: 5, ...onSecondCluster(h) });
    h.sim.faults.add({ kind: "delay", delayMs: 10, times: 1 });
    const accepted = await h.call("POST", "/v1/targets/slow/backups");
    h.clock.advance(10 * 60_000);
    await h.starter.idle();
    h.clock.advance(-10 * 60_000);
    const failed = (await h.call("GET", `/v1/backups/${accepted.json.id}`)).json;
    expect(failed.status).toBe("FAILED");
    expect(failed.lastError).toMatchObject({ code: "TIMEOUT" });
  });

  it("resumes a backup whose workflow died mid-way, without a second vendor backup", async () => {
    const before = createPosts();
    const accepted = await h.call("POST", "/v1/targets/orders/backups");
    // Let the workflow reach the vendor, then kill every execution (a crash).
    for (let i = 0; i < 100 && createPosts() === before; i++)
      await new Promise((r) => setTimeout(r, 5));
    await h.starter.stop();
    const stuck = (await h.call("GET", `/v1/backups/${accepted.json.id}`)).json;
    expect(["PENDING", "CREATING"]).toContain(stuck.status);
    const resumed = await resumeInFlight({ backups: h.container.backups, workflows: h.starter });
    expect(resumed).toContain(accepted.json.id);
    await h.starter.idle();
    expect((await h.call("GET", `/v1/backups/${accepted.json.id}`)).json.status).toBe("AVAILABLE");
    expect(createPosts() - before).toBe(1);
  });
});
