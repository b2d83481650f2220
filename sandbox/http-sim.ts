import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type * as z from "zod";
import type { FaultQueue, FaultSpec, StatusFault } from "./fault-queue.ts";
import {
  matchPattern,
  type RequestLogEntry,
  type SimRequest,
  type SimResponse,
  type SimRoute,
} from "./http-sim-types.ts";
import { ADMIN_PREFIX, handleAdmin } from "./sandbox-admin.ts";

export type { RequestLogEntry, SimRequest, SimResponse, SimRoute } from "./http-sim-types.ts";

/** How a provider simulator plugs its behaviour into the shared JSON HTTP server. */
export interface JsonHttpSimulatorOptions<Extra extends { kind: string }> {
  /** Default 0: an ephemeral port. The host is always 127.0.0.1. */
  port?: number;
  routes: SimRoute[];
  faults: FaultQueue<Extra>;
  /** Validates faults posted to `POST /__sandbox/faults`. */
  faultSchema: z.ZodType<FaultSpec<Extra>>;
  /** The provider's error envelope, used for 404s, rate limiting, fault statuses and crashes. */
  errorBody: (status: number, message: string) => unknown;
  /** Runs after route matching (so unknown routes are 404 for everyone); a response rejects. */
  authenticate?: (request: SimRequest) => SimResponse | undefined;
  /** Optional per-endpoint-and-caller limit, counted in fixed one-second windows of `now`. */
  rateLimit?: { requestsPerSecond: number; now: () => number };
  /** Headers added to every provider response (e.g. a request id). */
  responseHeaders?: () => Record<string, string>;
  /** Served at `GET /__sandbox/state`. */
  dumpState?: () => unknown;
  /** Called after each logged request, e.g. for the local runtime's console. */
  onRequest?: (entry: RequestLogEntry) => void;
}

/** A running simulator server. */
export interface JsonHttpSimulator {
  /** e.g. `http://127.0.0.1:54321` */
  url: string;
  port: number;
  /** Provider requests in arrival order of their responses; tests may read or truncate it. */
  requests: RequestLogEntry[];
  /** Stops listening, drops open connections and abandons requests held by delay faults. */
  close(): Promise<void>;
}

/**
 * Starts a loopback JSON HTTP server that routes requests to a provider simulator and
 * applies the shared sandbox machinery in this order: admin endpoints, `delay` faults,
 * `status` faults, route matching (404), authentication, rate limiting, the route handler.
 *
 * @example
 * ```ts
 * const sim = await startJsonHttpSimulator({
 *   routes: [{ method: "GET", pattern: "/v1/things/:id", handler: (r) => ({ status: 200, body: r.params }) }],
 *   faults: new FaultQueue(),
 *   faultSchema: httpFaultSchema,
 *   errorBody: (status, message) => ({ error: { status, message } }),
 * });
 * ```
 */
export async function startJsonHttpSimulator<Extra extends { kind: string }>(
  options: JsonHttpSimulatorOptions<Extra>,
): Promise<JsonHttpSimulator> {
  const requests: RequestLogEntry[] = [];
  const closing = new AbortController();
  const windows = new Map<string, { second: number; count: number }>();

  async function respond(request: SimRequest): Promise<SimResponse | undefined> {
    const target = { method: request.method, path: request.path };
    const delay = options.faults.takeDelay(target);
    if (delay !== undefined) {
      try {
        await sleep(delay.delayMs, undefined, { signal: closing.signal });
      } catch {
        return undefined; // the simulator is closing: nobody will read the answer
      }
    }
    const statusFault = options.faults.takeStatus(target);
    if (statusFault !== undefined) return faultResponse(statusFault, options.errorBody);
    for (const route of options.routes) {
      const params = route.method === request.method && matchPattern(route.pattern, request.path);
      if (!params) continue;
      const routed = { ...request, params };
      const rejected = options.authenticate?.(routed) ?? limit(route, routed);
      return rejected ?? (await route.handler(routed));
    }
    const message = `no route for ${request.method} ${request.path}`;
    return { status: 404, body: options.errorBody(404, message) };
  }

  function limit(route: SimRoute, request: SimRequest): SimResponse | undefined {
    if (options.rateLimit === undefined) return undefined;
    const { requestsPerSecond, now } = options.rateLimit;
    const key = `${route.method} ${route.pattern} ${request.headers.authorization ?? ""}`;
    const second = Math.floor(now() / 1000);
    const window = windows.get(key);
    const count = window?.second === second ? window.count + 1 : 1;
    windows.set(key, { second, count });
    if (count <= requestsPerSecond) return undefined;
    const message = `rate limit exceeded: at most ${requestsPerSecond} requests per second per endpoint`;
    return { status: 429, headers: { "retry-after": "1" }, body: options.errorBody(429, message) };
  }

  async function handle(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const request = await readRequest(incoming);
    if (request.path.startsWith(ADMIN_PREFIX)) {
      const context = { ...options, requestCount: () => requests.length };
      send(outgoing, handleAdmin(request, context));
      return;
    }
    let response: SimResponse | undefined;
    try {
      response = await respond(request);
    } catch (error) {
      const message = `internal simulator error: ${(error as Error).message}`;
      response = { status: 500, body: options.errorBody(500, message) };
    }
    if (response === undefined) return;
    response.headers = { ...options.responseHeaders?.(), ...response.headers };
    const search = new URL(incoming.url ?? "/", "http://127.0.0.1").search;
    const entry = { method: request.method, path: request.path, search, status: response.status };
    requests.push(entry);
    options.onRequest?.(entry);
    send(outgoing, response);
  }

  const server = createServer((incoming, outgoing) => {
    handle(incoming, outgoing).catch((error: unknown) => {
      outgoing.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  server.listen(options.port ?? 0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    async close() {
      if (closing.signal.aborted) return; // closing twice is harmless (tests' afterEach hooks)
      closing.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function faultResponse(fault: StatusFault, errorBody: (s: number, m: string) => unknown) {
  const headers: Record<string, string> = {};
  if (fault.retryAfterSeconds !== undefined) {
    headers["retry-after"] = String(fault.retryAfterSeconds);
  }
  const message =
    fault.status === 429
      ? "rate limit exceeded, please retry later"
      : `injected fault: HTTP ${fault.status}`;
  return { status: fault.status, headers, body: fault.body ?? errorBody(fault.status, message) };
}

async function readRequest(incoming: IncomingMessage): Promise<SimRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  const url = new URL(incoming.url ?? "/", "http://127.0.0.1");
  const request: SimRequest = {
    method: (incoming.method ?? "GET").toUpperCase(),
    path: url.pathname,
    query: url.searchParams,
    headers: incoming.headers,
    params: {},
    body: undefined,
    rawBody: text,
  };
  if (text.trim() === "") return request;
  try {
    request.body = JSON.parse(text);
  } catch (error) {
    request.bodyError = (error as Error).message;
  }
  return request;
}

function send(outgoing: ServerResponse, response: SimResponse): void {
  const isText = typeof response.body === "string";
  const payload =
    response.body === undefined
      ? ""
      : isText
        ? String(response.body)
        : JSON.stringify(response.body);
  outgoing.writeHead(response.status, {
    "content-type": isText ? "text/plain; charset=utf-8" : "application/json; charset=utf-8",
    ...response.headers,
  });
  outgoing.end(payload);
}
