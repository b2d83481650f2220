import { afterEach, describe, expect, it } from "vitest";
import { startPineconeSimulator } from "../../sandbox/pinecone.ts";
import { sandboxAdmin } from "../support/sandbox-admin.ts";
import { startHarness, type ZillizHarness } from "./zilliz-helpers.ts";

const harnesses: ZillizHarness[] = [];
async function start(...args: Parameters<typeof startHarness>): Promise<ZillizHarness> {
  const harness = await startHarness(...args);
  harnesses.push(harness);
  return harness;
}
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((harness) => harness.sim.close()));
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** Resolves once `condition` holds (polling), so a test can wait for the vendor to act. */
async function until(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("transport fault: drop-response", () => {
  it("creates the backup at the vendor, then gives the client a socket error", async () => {
    const h = await start();
    h.sim.faults.add({ kind: "drop-response", match: { method: "POST" } });

    const error = await h.create().then(
      () => undefined,
      (e: TypeError & { cause?: { code?: string } }) => e,
    );
    const listed = await h.call("GET", "/v2/backups");

    expect(error?.message).toBe("fetch failed");
    expect(error?.cause?.code).toMatch(/^(UND_ERR_SOCKET|ECONNRESET)$/);
    expect(listed.json.data.count).toBe(1);
    expect(h.sim.inventory()).toHaveLength(1);
    expect(h.sim.requests[0]).toMatchObject({
      method: "POST",
      status: 200,
      dropped: true,
      injected: [{ kind: "drop-response", source: "queue" }],
    });
    expect(h.sim.requests[1]).not.toHaveProperty("dropped");
    expect(h.sim.faults.size).toBe(0);
  });

  it("is queued over HTTP, never applies to admin routes, and yields to a status fault", async () => {
    const h = await start();
    const post = (body: unknown) => sandboxAdmin(h.sim, "POST", "/__sandbox/faults", body);

    const queued = await post({ kind: "drop-response", match: { path: "/v2/clusters/**" } });
    const badHold = await post({ kind: "hold-response" });
    const state = await sandboxAdmin(h.sim, "GET", "/__sandbox/state");
    h.sim.faults.add({ kind: "status", status: 503, match: { method: "POST" } });
    const answered = await h.create();
    const sizeAfterStatus = h.sim.faults.size;
    await expect(h.create()).rejects.toThrow(/fetch failed/);

    expect(queued.status).toBe(201);
    expect(badHold.status).toBe(400);
    expect(state.status).toBe(200);
    expect(answered.status).toBe(503);
    expect(sizeAfterStatus).toBe(1); // the 503 answered instead of the vendor: nothing to drop
    expect(h.sim.inventory()).toHaveLength(1);
  });

  it("works the same on another vendor (Pinecone create)", async () => {
    const sim = await startPineconeSimulator();
    closers.push(() => sim.close());
    sim.faults.add({ kind: "drop-response" });

    const create = fetch(`${sim.url}/indexes/${sim.indexes[0]}/backups`, {
      method: "POST",
      headers: {
        "api-key": sim.apiKey,
        "x-pinecone-api-version": "2025-10",
        "content-type": "application/json",
      },
      body: JSON.stringify({ name: "nightly" }),
    });

    await expect(create).rejects.toThrow(/fetch failed/);
    expect(sim.inventory()).toMatchObject([{ vendor: "pinecone", label: "nightly" }]);
    expect(sim.requests[0]).toMatchObject({ status: 201, dropped: true });
  });
});

describe("transport fault: hold-response", () => {
  it("acts at once, and the client's timeout fires while the response is held", async () => {
    const h = await start();
    h.sim.faults.add({ kind: "hold-response", delayMs: 400, match: { method: "POST" } });

    const startedAt = performance.now();
    const timedOut = h.call("POST", `/v2/clusters/${h.cluster}/backups/create`, {
      body: { backupType: "CLUSTER" },
      signal: AbortSignal.timeout(100),
    });
    await expect(timedOut).rejects.toThrow(/timeout|abort/i);
    const inventoryAtTimeout = h.sim.inventory();
    const loggedAtTimeout = h.sim.requests.length;
    await until(() => h.sim.requests.length === 1);

    expect(inventoryAtTimeout).toHaveLength(1);
    expect(loggedAtTimeout).toBe(0); // logged when the held response goes out
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(390);
    expect(h.sim.requests[0]).toMatchObject({
      status: 200,
      injected: [{ kind: "hold-response", source: "queue" }],
    });
    expect(h.sim.requests[0]).not.toHaveProperty("dropped");
  });

  it("delivers the response late to a patient client", async () => {
    const h = await start();
    h.sim.faults.add({ kind: "hold-response", delayMs: 150 });

    const startedAt = performance.now();
    const reply = await h.create();

    expect(reply.json.code).toBe(0);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(140);
  });

  it("is abandoned on close and logged as dropped", async () => {
    const h = await start();
    h.sim.faults.add({ kind: "hold-response", delayMs: 60_000 });

    const held = h.create().catch((error: Error) => error);
    await until(() => h.sim.inventory().length === 1);
    const closedAt = performance.now();
    await h.sim.close();

    expect(await held).toBeInstanceOf(Error);
    expect(performance.now() - closedAt).toBeLessThan(1_000);
    expect(h.sim.requests).toMatchObject([{ status: 200, dropped: true }]);
  });
});

describe("transport fault: delay (the late duplicate)", () => {
  it("still holds the request before the vendor sees it", async () => {
    const h = await start();
    h.sim.faults.add({ kind: "delay", delayMs: 300, match: { method: "POST" } });

    const late = h.call("POST", `/v2/clusters/${h.cluster}/backups/create`, {
      body: { backupType: "CLUSTER" },
      signal: AbortSignal.timeout(100),
    });
    await expect(late).rejects.toThrow(/timeout|abort/i);
    const inventoryAtTimeout = h.sim.inventory();
    await until(() => h.sim.inventory().length === 1);

    expect(inventoryAtTimeout).toEqual([]);
  });
});
