import { signRequest } from "../../../lib/providers/huawei/signer.ts";

/** A fixed start time so timestamps in assertions are exact. */
export const T0 = Date.parse("2026-03-02T09:00:00Z");

/** The answer of one call, with the body left as JSON for the assertions to inspect. */
export interface Reply {
  status: number;
  headers: Headers;
  json: any;
}

/** How a test call is authenticated: signed (optionally tampered with) or by token. */
export interface CallOptions {
  body?: unknown;
  /** Sign with these keys instead of the simulator's. */
  keys?: { ak: string; sk: string };
  /** Signing time; default the simulator clock's `now`. */
  signedAt?: number;
  /** Send `X-Auth-Token` instead of signing; `null` sends no credentials at all. */
  token?: string | null;
  /** Extra headers sent but not signed. */
  headers?: Record<string, string>;
}

/** A signing client for one simulator, with a hand-driven clock. */
export interface Client {
  advance(ms: number): void;
  now(): number;
  call(method: string, path: string, options?: CallOptions): Promise<Reply>;
}

/** Builds a client that signs like the production adapters (content-type, x-project-id). */
export function clientFor(
  sim: { url: string; ak: string; sk: string; projectId: string },
  clock: { value: number },
): Client {
  return {
    advance: (ms) => {
      clock.value += ms;
    },
    now: () => clock.value,
    async call(method, path, options = {}) {
      const url = new URL(sim.url + path);
      const body = options.body === undefined ? undefined : JSON.stringify(options.body);
      const signed: Record<string, string> = { "x-project-id": sim.projectId };
      if (body !== undefined) signed["content-type"] = "application/json";
      let auth: Record<string, string> = {};
      if (options.token !== undefined) {
        auth = options.token === null ? {} : { "x-auth-token": options.token };
      } else {
        const keys = options.keys ?? { ak: sim.ak, sk: sim.sk };
        const at = new Date(options.signedAt ?? clock.value);
        auth = signRequest({ method, url, headers: signed, body: body ?? "" }, keys, at);
      }
      const response = await fetch(url, {
        method,
        headers: { accept: "application/json", ...signed, ...auth, ...options.headers },
        body,
      });
      const text = await response.text();
      return {
        status: response.status,
        headers: response.headers,
        json: text === "" ? undefined : JSON.parse(text),
      };
    },
  };
}
