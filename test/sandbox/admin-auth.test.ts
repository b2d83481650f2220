import { afterEach, describe, expect, it } from "vitest";
import { startSlackSink } from "../../sandbox/slack-sink.ts";
import { startHarness, type ZillizHarness } from "./zilliz-helpers.ts";

/*
 * Every `/__sandbox/*` route changes or shows a simulator's state; loopback is no boundary
 * (any local process, or a web page the browser points at 127.0.0.1, reaches it). So each
 * needs `Authorization: Bearer <WARDEN_TOKEN>`, and a body must be declared JSON, which a
 * browser cannot send cross-site without asking first.
 */

const TOKEN = "sandbox-admin-token-0123456789";
const running: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
});

async function start(): Promise<ZillizHarness> {
  const h = await startHarness({ adminToken: TOKEN });
  running.push(h.sim);
  return h;
}

/** Every admin route, with a body that would be accepted. */
function routes(cluster: string): Array<[string, string, unknown?]> {
  return [
    ["POST", "/__sandbox/faults", { kind: "status", status: 503 }],
    ["GET", "/__sandbox/faults"],
    ["DELETE", "/__sandbox/faults"],
    ["PUT", "/__sandbox/chaos", { seed: 1, rate: 1, kinds: ["status"] }],
    ["GET", "/__sandbox/chaos"],
    ["DELETE", "/__sandbox/chaos"],
    ["POST", "/__sandbox/backups", { clusterId: cluster }],
    ["GET", "/__sandbox/state"],
    ["GET", "/__sandbox/no-such-route"],
  ];
}

async function call(
  url: string,
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string>,
) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : new TextEncoder().encode(JSON.stringify(body)),
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    challenge: response.headers.get("www-authenticate"),
    json: JSON.parse(text) as Record<string, unknown>,
  };
}

describe("the simulators' /__sandbox/* routes", () => {
  it("answer 401 (problem+json) to a missing, malformed, wrong or wrong-length token", async () => {
    const h = await start();
    const refusals: Array<Record<string, string>> = [
      {},
      { authorization: TOKEN },
      { authorization: `Basic ${TOKEN}` },
      { authorization: `Bearer ${TOKEN.slice(0, -1)}X` },
      { authorization: "Bearer short" },
      { authorization: `Bearer ${TOKEN}${TOKEN}` },
    ];
    for (const [method, path, body] of routes(h.cluster)) {
      for (const auth of refusals) {
        const headers = { ...auth, "content-type": "application/json" };
        const answer = await call(h.sim.url, method, path, body, headers);
        expect(answer, `${method} ${path} with ${JSON.stringify(auth)}`).toMatchObject({
          status: 401,
          type: "application/problem+json",
          challenge: "Bearer",
          json: { status: 401, title: "Unauthorized" },
        });
        expect(JSON.stringify(answer.json)).not.toContain(TOKEN);
      }
    }
    // Nothing was done.
    expect(h.sim.faults.size).toBe(0);
    expect(h.sim.chaos.config).toBeUndefined();
    expect(h.sim.inventory()).toEqual([]);
  });

  it("answer 415 to a body that is not declared JSON, even with the token", async () => {
    const h = await start();
    const auth = { authorization: `Bearer ${TOKEN}` };
    for (const [method, path, body] of routes(h.cluster)) {
      if (body === undefined) continue;
      for (const type of [undefined, "text/plain", "application/x-www-form-urlencoded"]) {
        const headers = type === undefined ? auth : { ...auth, "content-type": type };
        const answer = await call(h.sim.url, method, path, body, headers);
        expect(answer, `${method} ${path} as ${type}`).toMatchObject({
          status: 415,
          type: "application/problem+json",
          json: { status: 415, title: "Unsupported Media Type" },
        });
      }
    }
    expect(h.sim.faults.size).toBe(0);
    expect(h.sim.chaos.config).toBeUndefined();
    expect(h.sim.inventory()).toEqual([]);
  });

  it("serve the token's bearer, with JSON bodies (a charset is fine)", async () => {
    const h = await start();
    const headers = {
      authorization: `Bearer ${TOKEN}`,
      "content-type": "application/json; charset=utf-8",
    };
    const statuses: number[] = [];
    for (const [method, path, body] of routes(h.cluster)) {
      statuses.push((await call(h.sim.url, method, path, body, headers)).status);
    }
    expect(statuses).toEqual([201, 200, 200, 200, 200, 200, 201, 200, 404]);
    expect(h.sim.inventory()).toHaveLength(1);
  });

  it("take a random token when none is given, and the Slack sink's take its own", async () => {
    const h = await startHarness();
    running.push(h.sim);
    const sink = await startSlackSink({ adminToken: TOKEN });
    running.push(sink);
    expect(h.sim.adminToken.length).toBeGreaterThanOrEqual(32);
    const state = (url: string, token: string) =>
      call(url, "GET", "/__sandbox/state", undefined, { authorization: `Bearer ${token}` });
    expect((await state(h.sim.url, TOKEN)).status).toBe(401);
    expect((await state(h.sim.url, h.sim.adminToken)).status).toBe(200);
    expect((await state(sink.url, "not-the-token-at-all")).status).toBe(401);
    expect((await state(sink.url, TOKEN)).status).toBe(200);
  });
});
