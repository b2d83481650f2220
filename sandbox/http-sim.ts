import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type * as z from "zod";
import { Chaos } from "./chaos.ts";
import type {
  FaultQueue,
  FaultSpec,
  FaultTarget,
  HttpFault,
  ResponseFault,
  StatusFault,
} from "./fault-queue.ts";
import {
  type InjectedFault,
  matchPattern,
  type RequestLogEntry,
  type SimRequest,
  type SimResponse,
  type SimRoute,
} from "./http-sim-types.ts";
import { ADMIN_PREFIX, handleAdmin, refuseAdmin } from "./sandbox-admin.ts";
import type { BackupSeeder } from "./vendor-hooks.ts";

export type {
  InjectedFault,
  RequestLogEntry,
  SimRequest,
  SimResponse,
  SimRoute,
} from "./http-sim-types.ts";

/** How a provider simulator plugs its behaviour into the shared JSON HTTP server. */
export interface JsonHttpSimulatorOptions<Extra extends { kind: string }> {
  /** Default 0: an ephemeral port. The host is always 127.0.0.1. */
  port?: number;
  /** The bearer token every `/__sandbox/*` request must carry (see `refuseAdmin`). */
  adminToken: string;
  routes: SimRoute[];
  faults: FaultQueue<Extra>;
  /** Validates faults posted to `POST /__sandbox/faults`. */
  faultSchema: z.ZodType<FaultSpec<Extra>>;
  /** The provider's error envelope, used for 404s, rate limiting, fault statuses and crashes. */
  errorBody: (status: number, message: string) => unknown;
  /** Runs after route matching (so unknown routes are 404 for everyone); a response rejects. */
  authenticate?: (request: SimRequest) => SimResponse | undefined;
  /** Optional per-endpoint-and-caller limit, counted in fixed one-second windows of `now`. */
  rateLimit?: {
    requestsPerSecond: number;
    now: () => number;
    /** Who is calling, for the per-caller limit (default: the Authorization header). */
    callerOf?: (request: SimRequest) => string;
  };
  /** Headers added to every provider response (e.g. a request id). */
  responseHeaders?: () => Record<string, string>;
  /** Served at `GET /__sandbox/state`. */
  dumpState?: () => unknown;
  /** Called after each logged request, e.g. for the local runtime's console. */
  onRequest?: (entry: RequestLogEntry) => void;
  /** Seeded random transport faults; default a new {@link Chaos}, off until set. */
  chaos?: Chaos;
  /** Answers `POST /__sandbox/backups`; without it that route is 404. */
  seedBackup?: BackupSeeder<z.ZodType>;
}

/** A running simulator server. */
export interface JsonHttpSimulator {
  /** e.g. `http://127.0.0.1:54321` */
  url: string;
  port: number;
  /** Provider requests in arrival order of their responses; tests may read or truncate it. */
  requests: RequestLogEntry[];
  /** Seeded random transport faults (`PUT /__sandbox/chaos` over HTTP). */
  chaos: Chaos;
  /**
   * Stops listening, drops open connections and abandons requests held by `delay` faults
   * (never handled) and responses held by `hold-response` faults (logged as dropped).
   */
  close(): Promise<void>;
}

/**
 * Starts a loopback JSON HTTP server that routes requests to a provider simulator and
 * applies the shared sandbox machinery in this order: admin endpoints, `delay` faults,
 * `status` faults, route matching (404), authentication, rate limiting, the route handler,
 * then `drop-response` / `hold-response` faults. Each transport fault comes from the fault
 * queue or, when no queued transport fault matches the request, from {@link Chaos}.
 * `/__sandbox/*` requests need the admin token, never get faults and are not logged.
 *
 * @example
 * ```ts
 * const sim = await startJsonHttpSimulator({
 *   routes: [{ method: "GET", pattern: "/v1/things/:id", handler: (r) => ({ status: 200, body: r.params }) }],
 *   faults: new FaultQueue(),
 *   faultSchema: httpFaultSchema,
 *   errorBody: (status, message) => ({ error: { status, message } }),
 *   adminToken: "a-token-of-16-chars-or-more",
 * });
 * ```
 */
export async function startJsonHttpSimulator<Extra extends { kind: string }>(
  options: JsonHttpSimulatorOptions<Extra>,
): Promise<JsonHttpSimulator> {
  const requests: RequestLogEntry[] = [];
  const chaos = options.chaos ?? new Chaos();
  const closing = new AbortController();
  const windows = new Map<string, { second: number; count: number }>();

  /**
   * The transport faults of one vendor request, queued ones first: a request some queued
   * transport fault matches gets no chaos fault (chaos still counts it as seen).
   */
  function faultsFor(target: FaultTarget) {
    const injected: InjectedFault[] = [];
    const drawn = chaos.draw(target, options.faults.hasTransportFault(target));
    function pick<F extends HttpFault>(queued: F | undefined, isKind: (f: HttpFault) => f is F) {
      const fault = queued ?? (drawn !== undefined && isKind(drawn) ? drawn : undefined);
      if (fault !== undefined) {
        injected.push({ kind: fault.kind, source: queued === undefined ? "chaos" : "queue" });
      }
      return fault;
    }
    return {
      injected,
      delay: () => pick(options.faults.takeDelay(target), (f) => f.kind === "delay"),
      status: () => pick(options.faults.takeStatus(target), (f) => f.kind === "status"),
      response: () =>
        pick(
          options.faults.takeResponseFault(target),
          (f): f is ResponseFault => f.kind === "drop-response" || f.kind === "hold-response",
        ),
    };
  }

  /** Routes, authenticates, rate-limits and runs the vendor's handler. */
  async function serveVendor(request: SimRequest): Promise<SimResponse> {
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

  /** False when the simulator closed meanwhile (nobody will read the answer). */
  async function hold(delayMs: number): Promise<boolean> {
    try {
      await sleep(delayMs, undefined, { signal: closing.signal });
      return true;
    } catch {
      return false;
    }
  }

  function limit(route: SimRoute, request: SimRequest): SimResponse | undefined {
    if (options.rateLimit === undefined) return undefined;
    const { requestsPerSecond, now, callerOf } = options.rateLimit;
    const caller = callerOf?.(request) ?? request.headers.authorization ?? "";
    const key = `${route.method} ${route.pattern} ${caller}`;
    const second = Math.floor(now() / 1000);
    const window = windows.get(key);
    const count = window?.second === second ? window.count + 1 : 1;
    windows.set(key, { second, count });
    if (count <= requestsPerSecond) return undefined;
    const message = `rate limit exceeded: at most ${requestsPerSecond} requests per second per endpoint`;
    return {
      status: 429,
      headers: { "retry-after": "1" },
      body: options.errorBody(429, message),
      refusedForRate: true,
    };
  }

  async function handle(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const request = await readRequest(incoming);
    if (request.path.startsWith(ADMIN_PREFIX)) {
      const context = { ...options, chaos, requestCount: () => requests.length };
      send(outgoing, refuseAdmin(request, options.adminToken) ?? handleAdmin(request, context));
      return;
    }
    const target = { method: request.method, path: request.path };
    const faults = faultsFor(target);
    const delay = faults.delay();
    if (delay !== undefined && !(await hold(delay.delayMs))) return;
    const statusFault = faults.status();
    // An injected status answers instead of the vendor, so no response fault applies.
    const responseFault = statusFault === undefined ? faults.response() : undefined;
    let response: SimResponse;
    try {
      response =
        statusFault !== undefined
          ? faultResponse(statusFault, options.errorBody)
          : await serveVendor(request);
    } catch (error) {
      const message = `internal simulator error: ${(error as Error).message}`;
      response = { status: 500, body: options.errorBody(500, message) };
    }
    const servedAt = Date.now();
    response.headers = { ...options.responseHeaders?.(), ...response.headers };
    const search = new URL(incoming.url ?? "/", "http://127.0.0.1").search;
    const entry: RequestLogEntry = {
      method: request.method,
      path: request.path,
      search,
      status: response.status,
      servedAt,
    };
    if (faults.injected.length > 0) entry.injected = faults.injected;
    if (response.refusedForRate) entry.refusedForRate = true;
    const delivered =
      responseFault === undefined ||
      (responseFault.kind === "hold-response" && (await hold(responseFault.delayMs)));
    if (!delivered) entry.dropped = true;
    requests.push(entry);
    options.onRequest?.(entry);
    if (delivered) send(outgoing, response);
    else outgoing.destroy(); // the vendor acted, the client gets a socket error
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
    chaos,
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
  if (outgoing.destroyed) return; // the client gave up (e.g. while its response was held)
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
