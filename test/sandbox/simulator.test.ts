import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import * as z from "zod";
import { faultKind, faultSchemaWith } from "../../sandbox/fault-queue.ts";
import { issuedSecrets } from "../../sandbox/issued-secrets.ts";
import {
  type RateLimitOptions,
  type SimulatorOptions,
  startSimulator,
} from "../../sandbox/simulator.ts";

/** The smallest vendor the base can run: a hit counter behind a key, with one own fault. */
const counterStateSchema = z.object({ version: z.literal(1), key: z.string(), hits: z.number() });
type CounterState = z.infer<typeof counterStateSchema>;
interface JamFault {
  kind: "jam";
  reason: string;
}

const T0 = Date.parse("2026-03-02T09:00:00Z");
const DEFAULT_KEY = "counter-key-0123456789";
const running: Array<{ close(): Promise<void> }> = [];

async function startCounter(options: SimulatorOptions & RateLimitOptions & { key?: string } = {}) {
  const started = await startSimulator(
    { now: () => T0, ...options },
    {
      stateSchema: counterStateSchema,
      initialState: (): CounterState => ({ version: 1, key: options.key ?? DEFAULT_KEY, hits: 0 }),
      overrides: { key: options.key },
      faultSchema: faultSchemaWith<JamFault>(faultKind("jam", { reason: z.string() })),
      errorBody: (status, message) => ({ failure: { status, message } }),
      authenticate: (request, state) =>
        request.headers["x-key"] === state.key ? undefined : { status: 401, body: "bad key" },
      secrets: (state) => [state.key],
      serve: ({ state, save, faults }) => ({
        dump: (now) => ({ hits: state.hits, at: now }),
        routes: [
          {
            method: "POST",
            pattern: "/hits",
            handler: (request) => {
              const jam = faults.take("jam", request);
              if (jam !== undefined) return { status: 409, body: { jammed: jam.reason } };
              state.hits += 1;
              save();
              return { status: 200, body: { hits: state.hits } };
            },
          },
        ],
      }),
    },
  );
  running.push(started.handle);
  const call = async (method: string, path: string, body?: unknown, key = started.state.key) => {
    const response = await fetch(`${started.handle.url}${path}`, {
      method,
      headers: {
        "x-key": key,
        "content-type": "application/json",
        authorization: `Bearer ${started.handle.adminToken}`, // what /__sandbox/* requires
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, json: safeJson(text) };
  };
  return { ...started, call };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
});

describe("simulator base: state file", () => {
  it("continues from its state file after a restart; credentials passed in win", async () => {
    const folder = await mkdtemp(join(tmpdir(), "sim-base-"));
    try {
      const stateFile = join(folder, "nested", "counter.json");
      const first = await startCounter({ stateFile });
      await first.call("POST", "/hits");
      await first.call("POST", "/hits");
      await first.handle.close();

      const second = await startCounter({ stateFile });
      const third = await second.call("POST", "/hits");
      await second.handle.close();
      const rekeyed = await startCounter({ stateFile, key: "another-key-0123456789" });
      const oldKey = await rekeyed.call("POST", "/hits", undefined, DEFAULT_KEY);

      expect(third).toMatchObject({ status: 200, json: { hits: 3 } });
      expect(rekeyed.state).toEqual({ version: 1, key: "another-key-0123456789", hits: 3 });
      expect(oldKey.status).toBe(401);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it("refuses to start from a state file of another shape", async () => {
    const folder = await mkdtemp(join(tmpdir(), "sim-base-"));
    try {
      const stateFile = join(folder, "counter.json");
      await writeFile(stateFile, JSON.stringify({ version: 2 }));

      await expect(startCounter({ stateFile })).rejects.toThrow(/invalid simulator state file/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe("simulator base: faults", () => {
  it("consumes faults in the order they were queued, each for its `times`", async () => {
    const sim = await startCounter();
    sim.handle.faults.add({ kind: "status", status: 503, times: 2 });
    sim.handle.faults.add({ kind: "status", status: 500, match: { method: "POST" } });
    sim.handle.faults.add({ kind: "status", status: 429, match: { method: "GET" } });

    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await sim.call("POST", "/hits")).status);

    expect(statuses).toEqual([503, 503, 500, 200]);
    expect(sim.handle.faults.size).toBe(1); // the GET-only fault never matched a POST
  });

  it("answers injected statuses in the vendor's error envelope", async () => {
    const sim = await startCounter();
    sim.handle.faults.add({ kind: "status", status: 502 });

    const reply = await sim.call("POST", "/hits");

    expect(reply.json).toEqual({ failure: { status: 502, message: "injected fault: HTTP 502" } });
  });

  it("queues the vendor's own kinds over HTTP and leaves taking them to the vendor", async () => {
    const sim = await startCounter();

    const queued = await sim.call("POST", "/__sandbox/faults", { kind: "jam", reason: "stuck" });
    const refused = await sim.call("POST", "/__sandbox/faults", { kind: "explode" });
    const jammed = await sim.call("POST", "/hits");
    const next = await sim.call("POST", "/hits");

    expect(queued).toMatchObject({ status: 201, json: { queued: 1 } });
    expect(refused.status).toBe(400);
    expect(jammed).toMatchObject({ status: 409, json: { jammed: "stuck" } });
    expect(next).toMatchObject({ status: 200, json: { hits: 1 } });
  });
});

describe("simulator base: admin routes, authentication, limits and close", () => {
  it("serves its state and faults, answers 404 to unknown admin and vendor routes", async () => {
    const sim = await startCounter();
    await sim.call("POST", "/hits");

    const state = await sim.call("GET", "/__sandbox/state");
    const unknownAdmin = await sim.call("GET", "/__sandbox/nope");
    const unknownRoute = await sim.call("GET", "/nope");

    expect(state.json).toEqual({
      state: { hits: 1, at: T0 },
      faults: [],
      chaos: {
        config: null,
        counts: {
          seen: 0,
          injected: 0,
          byKind: { status: 0, delay: 0, "drop-response": 0, "hold-response": 0 },
        },
      },
      requestCount: 1,
    });
    expect(unknownAdmin).toMatchObject({
      status: 404,
      json: { error: "no sandbox admin route GET /__sandbox/nope" },
    });
    expect(unknownRoute).toMatchObject({
      status: 404,
      json: { failure: { status: 404, message: "no route for GET /nope" } },
    });
    expect(sim.handle.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      "POST /hits 200",
      "GET /nope 404",
    ]);
  });

  it("rejects a wrong key, throttles past the rate limit and records the key it accepts", async () => {
    const sim = await startCounter({ rateLimitPerSecond: 1 });

    const wrongKey = await sim.call("POST", "/hits", undefined, "not-the-key");
    const allowed = await sim.call("POST", "/hits");
    const throttled = await sim.call("POST", "/hits");

    expect(wrongKey).toMatchObject({ status: 401, json: "bad key" });
    expect(allowed.status).toBe(200);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("1");
    expect(issuedSecrets.has(DEFAULT_KEY)).toBe(true);
  });

  it("closes twice without complaint", async () => {
    const sim = await startCounter();

    await sim.handle.close();

    await expect(sim.handle.close()).resolves.toBeUndefined();
  });
});
