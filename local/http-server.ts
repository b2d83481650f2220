import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { MAX_BODY_BYTES, problem } from "../lib/api/http.ts";
import { bearerMatches } from "./bearer.ts";
import { apiEvent } from "./events.ts";

/** An API Gateway HTTP API (payload 2.0) handler, as Lambda would run it. */
export type ApiGatewayHandler = (
  event: unknown,
  context: never,
) => Promise<
  { statusCode?: number; headers?: Record<string, unknown>; body?: string } | string | undefined
>;

export interface LocalHttpServerOptions {
  host?: string;
  port: number;
  /** The bearer token every route but health requires (API Gateway does IAM on AWS). */
  token: string;
  handler: ApiGatewayHandler;
  /** Paths answered without authentication (health). */
  publicPaths?: string[];
  /**
   * Everything outside `/v1/`: the operator console (console/server.ts), which does its
   * own authentication (sessions for people, the same bearer token for scripts).
   */
  console?: (req: IncomingMessage, res: ServerResponse) => unknown;
}

function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, unknown>,
  body: string | undefined,
) {
  res.writeHead(
    status,
    Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)])),
  );
  res.end(body ?? "");
}

/** Reads the body, stopping at the limit (a larger body is answered 413 without buffering it). */
async function readBody(req: IncomingMessage): Promise<{ text: string; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) tooLarge = true;
    else chunks.push(chunk);
  }
  return { text: Buffer.concat(chunks).toString("utf8"), tooLarge };
}

/** The API Gateway v2 event for a node request, as API Gateway would build it. */
function toEvent(req: IncomingMessage, body: string) {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(",") : value;
  }
  return apiEvent({ method: req.method ?? "GET", path: req.url ?? "/", headers, body });
}

/**
 * The HTTP API on loopback: bearer-token auth in front (API Gateway's job on AWS), then
 * the very Lambda handler that serves the API on AWS; every other path is the console's.
 */
export async function startLocalHttpServer(
  options: LocalHttpServerOptions,
): Promise<{ server: Server; url: string }> {
  const publicPaths = new Set(options.publicPaths ?? ["/v1/health"]);
  const server = createServer(async (req, res) => {
    try {
      const path = new URL(req.url ?? "/", "http://localhost").pathname;
      if (options.console && path !== "/v1" && !path.startsWith("/v1/")) {
        await options.console(req, res);
        return;
      }
      const { text, tooLarge } = await readBody(req);
      if (!publicPaths.has(path) && !bearerMatches(req.headers.authorization, options.token)) {
        const r = problem(401, "Unauthorized", "missing or invalid bearer token");
        return send(res, r.status, { ...r.headers, "www-authenticate": "Bearer" }, r.body);
      }
      if (tooLarge) {
        const r = problem(413, "Content Too Large", `request body exceeds ${MAX_BODY_BYTES} bytes`);
        return send(res, r.status, r.headers, r.body);
      }
      const result = await options.handler(toEvent(req, text), {
        awsRequestId: randomUUID(),
      } as never);
      if (typeof result === "string" || result === undefined) return send(res, 200, {}, result);
      send(res, result.statusCode ?? 200, result.headers ?? {}, result.body);
    } catch {
      const r = problem(
        500,
        "Internal Server Error",
        "an internal error occurred; it has been logged",
      );
      send(res, r.status, r.headers, r.body);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://${options.host ?? "127.0.0.1"}:${port}` };
}
