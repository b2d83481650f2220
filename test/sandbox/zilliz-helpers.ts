import {
  startZillizSimulator,
  type ZillizSimulator,
  type ZillizSimulatorOptions,
} from "../../sandbox/zilliz.ts";

/** A fixed start time so timestamps in assertions are exact. */
export const T0 = Date.parse("2026-03-02T09:00:00Z");

/** The answer of one call, with the body left as JSON for the assertions to inspect. */
export interface Reply {
  status: number;
  headers: Headers;
  json: any;
}

/** A simulator with a hand-driven clock and a tiny fetch-based client. */
export interface ZillizHarness {
  sim: ZillizSimulator;
  cluster: string;
  advance(ms: number): void;
  call(
    method: string,
    path: string,
    options?: { body?: unknown; token?: string | null; signal?: AbortSignal },
  ): Promise<Reply>;
  create(body?: unknown, cluster?: string): Promise<Reply>;
}

/** Starts a simulator whose clock only moves when the test calls `advance`. */
export async function startHarness(
  options: ZillizSimulatorOptions = {},
  startAt = T0,
): Promise<ZillizHarness> {
  let clock = startAt;
  const sim = await startZillizSimulator({ now: () => clock, ...options });
  const cluster = sim.clusters[0]!;
  const call: ZillizHarness["call"] = async (method, path, callOptions = {}) => {
    const headers: Record<string, string> = { accept: "application/json" };
    const token = callOptions.token === undefined ? sim.apiKey : callOptions.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (callOptions.body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`${sim.url}${path}`, {
      method,
      headers,
      body: callOptions.body === undefined ? undefined : JSON.stringify(callOptions.body),
      signal: callOptions.signal,
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, json: JSON.parse(text) };
  };
  return {
    sim,
    cluster,
    advance: (ms) => {
      clock += ms;
    },
    call,
    create: (body = { backupType: "CLUSTER" }, target = cluster) =>
      call("POST", `/v2/clusters/${target}/backups/create`, { body }),
  };
}

/** Zilliz's documented timestamp format: whole seconds, UTC, `Z`. */
export function iso(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, "Z");
}
