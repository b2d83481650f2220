import { afterEach, describe, expect, it } from "vitest";
import { type ChaosConfig, mulberry32 } from "../../sandbox/chaos.ts";
import { sandboxAdmin } from "../support/sandbox-admin.ts";
import { startHarness, type ZillizHarness } from "./zilliz-helpers.ts";

const harnesses: ZillizHarness[] = [];
async function start(): Promise<ZillizHarness> {
  const harness = await startHarness();
  harnesses.push(harness);
  return harness;
}

afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((harness) => harness.sim.close()));
});

/** `count` list calls, one after the other; each reply's status and Retry-After header. */
async function listRepeatedly(h: ZillizHarness, count: number) {
  const replies: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const reply = await h.call("GET", "/v2/backups");
    const retryAfter = reply.headers.get("retry-after");
    replies.push(retryAfter === null ? String(reply.status) : `${reply.status} ra=${retryAfter}`);
  }
  return replies;
}

const STATUS_CHAOS: ChaosConfig = { seed: 1234, rate: 0.5, kinds: ["status"] };

describe("mulberry32", () => {
  it("gives the same floats in [0, 1) for the same seed, others for another", () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const c = mulberry32(8);
    const first = Array.from({ length: 5 }, () => a());

    expect(Array.from({ length: 5 }, () => b())).toEqual(first);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe("chaos: seeded random transport faults", () => {
  it("injects the same faults for the same seed and request sequence, and counts them", async () => {
    const [one, two, three] = [await start(), await start(), await start()];
    one.sim.chaos.set(STATUS_CHAOS);
    two.sim.chaos.set(STATUS_CHAOS);
    three.sim.chaos.set({ ...STATUS_CHAOS, seed: 4321 });

    const first = await listRepeatedly(one, 40);
    const second = await listRepeatedly(two, 40);
    const other = await listRepeatedly(three, 40);
    const failures = first.filter((reply) => reply !== "200");

    expect(second).toEqual(first);
    expect(other).not.toEqual(first);
    expect(failures.length).toBeGreaterThan(5);
    expect(failures.length).toBeLessThan(35);
    expect(new Set(failures)).toEqual(new Set(["429 ra=1", "500", "503"]));
    expect(one.sim.chaos.counts).toEqual({
      seen: 40,
      injected: failures.length,
      byKind: { status: failures.length, delay: 0, "drop-response": 0, "hold-response": 0 },
    });
    expect(one.sim.requests.filter((r) => r.injected !== undefined)).toHaveLength(failures.length);
    expect(one.sim.requests.find((r) => r.injected)?.injected).toEqual([
      { kind: "status", source: "chaos" },
    ]);
  });

  it("restarts its sequence on set, stops on set(undefined) and keeps the counts", async () => {
    const h = await start();
    h.sim.chaos.set(STATUS_CHAOS);
    const first = await listRepeatedly(h, 10);
    h.sim.chaos.set(STATUS_CHAOS);
    const again = await listRepeatedly(h, 10);
    const counts = h.sim.chaos.counts;
    h.sim.chaos.set(undefined);
    const calm = await listRepeatedly(h, 10);

    expect(again).toEqual(first);
    expect(calm).toEqual(Array(10).fill("200"));
    expect(h.sim.chaos.config).toBeUndefined();
    expect(h.sim.chaos.counts).toEqual(counts);
    expect(counts.seen).toBe(10);
  });

  it("draws from every listed kind with the given delay, statuses and match", async () => {
    const h = await start();
    h.sim.chaos.set({
      seed: 99,
      rate: 1,
      kinds: ["status", "delay", "hold-response", "drop-response"],
      statuses: [502],
      delayMs: 20,
      match: { method: "GET", path: "/v2/backups" },
    });

    const outcomes: string[] = [];
    for (let i = 0; i < 24; i += 1) {
      const reply = await h.call("GET", "/v2/backups").then(
        (r) => String(r.status),
        () => "socket error",
      );
      outcomes.push(reply);
    }
    const unmatched = await h.call("GET", "/v2/jobs/job-x");
    const { counts } = h.sim.chaos;

    expect(new Set(outcomes)).toEqual(new Set(["502", "200", "socket error"]));
    expect(unmatched.status).toBe(200);
    expect(counts.seen).toBe(24);
    expect(counts.injected).toBe(24);
    expect(Object.values(counts.byKind).every((n) => n > 0)).toBe(true);
    expect(outcomes.filter((o) => o === "socket error")).toHaveLength(
      counts.byKind["drop-response"],
    );
    expect(h.sim.requests.filter((r) => r.dropped)).toHaveLength(counts.byKind["drop-response"]);
  });

  it("yields to queued faults: a request a queued fault matches gets no chaos", async () => {
    const h = await start();
    h.sim.chaos.set({ seed: 5, rate: 1, kinds: ["status"], statuses: [503] });
    h.sim.faults.add({ kind: "status", status: 429, retryAfterSeconds: 7 });

    const queued = await h.call("GET", "/v2/backups");
    const chaotic = await h.call("GET", "/v2/backups");

    expect(queued.status).toBe(429);
    expect(queued.headers.get("retry-after")).toBe("7");
    expect(chaotic.status).toBe(503);
    expect(h.sim.chaos.counts).toMatchObject({ seen: 2, injected: 1 });
    expect(h.sim.requests.map((r) => r.injected)).toEqual([
      [{ kind: "status", source: "queue" }],
      [{ kind: "status", source: "chaos" }],
    ]);
  });

  it("is not held back by the vendor's own queued kinds", async () => {
    const h = await start();
    h.sim.faults.add({ kind: "fail-next-job", reason: "disk full" });
    h.sim.chaos.set({ seed: 5, rate: 1, kinds: ["status"], statuses: [500] });

    const reply = await h.call("GET", "/v2/backups");

    expect(reply.status).toBe(500);
    expect(h.sim.faults.size).toBe(1);
  });

  it("is set over HTTP (validated), shown in the state, and stopped over HTTP", async () => {
    const h = await start();
    const chaos = (method: string, body?: string) =>
      sandboxAdmin(h.sim, method, "/__sandbox/chaos", body);

    const badRate = await chaos("PUT", JSON.stringify({ seed: 1, rate: 2, kinds: ["status"] }));
    const badKind = await chaos("PUT", JSON.stringify({ seed: 1, rate: 1, kinds: ["explode"] }));
    const noKinds = await chaos("PUT", JSON.stringify({ seed: 1, rate: 1, kinds: [] }));
    const badJson = await chaos("PUT", "{");
    const set = await chaos(
      "PUT",
      JSON.stringify({
        seed: 3,
        rate: 1,
        kinds: ["drop-response"],
        match: { path: "/v2/jobs/**" },
      }),
    );
    const dropped = await h.call("GET", "/v2/jobs/job-x").catch(() => "socket error");
    const spared = await h.call("GET", "/v2/backups");
    const state: any = await (await sandboxAdmin(h.sim, "GET", "/__sandbox/state")).json();
    const stopped = await chaos("DELETE");
    const after = await h.call("GET", "/v2/jobs/job-x");

    expect([badRate.status, badKind.status, noKinds.status, badJson.status]).toEqual([
      400, 400, 400, 400,
    ]);
    expect(set.status).toBe(200);
    expect(dropped).toBe("socket error");
    expect(spared.status).toBe(200);
    expect(state.chaos).toEqual({
      config: { seed: 3, rate: 1, kinds: ["drop-response"], match: { path: "/v2/jobs/**" } },
      counts: {
        seen: 1,
        injected: 1,
        byKind: { status: 0, delay: 0, "drop-response": 1, "hold-response": 0 },
      },
    });
    expect(stopped.status).toBe(200);
    expect(((await stopped.json()) as any).chaos.config).toBeNull();
    expect(after.status).toBe(200);
  });

  it("never touches the admin routes", async () => {
    const h = await start();
    h.sim.chaos.set({ seed: 1, rate: 1, kinds: ["drop-response"] });

    const state = await sandboxAdmin(h.sim, "GET", "/__sandbox/state");
    const seeded = await sandboxAdmin(h.sim, "POST", "/__sandbox/backups", {
      clusterId: h.cluster,
    });

    expect(state.status).toBe(200);
    expect(seeded.status).toBe(201);
    expect(h.sim.chaos.counts.seen).toBe(0);
  });
});
