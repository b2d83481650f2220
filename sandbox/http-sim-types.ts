import type { IncomingHttpHeaders } from "node:http";
import type { HttpFault } from "./fault-queue.ts";

/** One request as a simulator route sees it. */
export interface SimRequest {
  /** Upper-case HTTP method. */
  method: string;
  /** Path without the query string, e.g. `/v2/jobs/job-123`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Values captured by `:name` segments of the route pattern (URI-decoded). */
  params: Record<string, string>;
  /** Parsed JSON body; `undefined` when the body is empty or not JSON (see `bodyError`). */
  body: unknown;
  /** The body exactly as received (signature checks hash these bytes, as a gateway does). */
  rawBody: string;
  /** Set when a non-empty body could not be parsed as JSON. */
  bodyError?: string;
}

/** What a route answers; a string body is sent as text, anything else as JSON. */
export interface SimResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Set by the rate limiter: the request log counts what it refused. */
  refusedForRate?: true;
}

/** A route: `pattern` segments starting with `:` capture one path segment each. */
export interface SimRoute {
  method: string;
  /** e.g. `/v2/clusters/:clusterId/backups/:backupId` */
  pattern: string;
  handler: (request: SimRequest) => SimResponse | Promise<SimResponse>;
}

/** A transport fault one request got, and whether it was queued or drawn by chaos. */
export interface InjectedFault {
  kind: HttpFault["kind"];
  source: "queue" | "chaos";
}

/** One entry of a simulator's request log (admin `/__sandbox/` calls are not logged). */
export interface RequestLogEntry {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Query string including the leading `?`, or `""`. */
  search: string;
  /** The status answered — or, for a dropped response, the one the vendor would have sent. */
  status: number;
  /** When the vendor acted on it (epoch ms): after a held request's delay, before a held response's. */
  servedAt: number;
  /** Present when transport faults were injected into this request. */
  injected?: InjectedFault[];
  /** Present (true) when the vendor's documented rate limit refused it (429). */
  refusedForRate?: true;
  /**
   * Present (true) when no response was sent: a `drop-response` fault, or a response held
   * by `hold-response` that was abandoned because the simulator closed.
   */
  dropped?: true;
}

/**
 * Matches `path` against a route pattern.
 *
 * @returns the captured parameters, or `undefined` when the path does not fit the pattern
 */
export function matchPattern(pattern: string, path: string): Record<string, string> | undefined {
  const expected = pattern.split("/");
  const actual = path.split("/");
  if (expected.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, segment] of expected.entries()) {
    const value = actual[index] ?? "";
    if (segment.startsWith(":")) {
      if (value === "") return undefined;
      try {
        params[segment.slice(1)] = decodeURIComponent(value);
      } catch {
        return undefined;
      }
    } else if (segment !== value) {
      return undefined;
    }
  }
  return params;
}
