import type * as z from "zod";
import { type HttpResponse, problem } from "../lib/api/http.ts";
import { bearerMatches } from "../local/bearer.ts";
import { type Chaos, chaosConfigSchema } from "./chaos.ts";
import type { FaultQueue, FaultSpec } from "./fault-queue.ts";
import type { SimRequest, SimResponse } from "./http-sim-types.ts";
import { type BackupSeeder, seedOverHttp } from "./vendor-hooks.ts";

/** Path prefix of the simulator-control endpoints; never part of a provider's API. */
export const ADMIN_PREFIX = "/__sandbox/";

/** What the admin endpoints need from the simulator. */
export interface AdminContext<Extra extends { kind: string }> {
  faults: FaultQueue<Extra>;
  faultSchema: z.ZodType<FaultSpec<Extra>>;
  dumpState?: () => unknown;
  requestCount: () => number;
  chaos: Chaos;
  /** Answers `POST /__sandbox/backups`; without it that route is 404. */
  seedBackup?: BackupSeeder<z.ZodType>;
}

/**
 * Serves the simulator-control endpoints used by the local runtime and by hand:
 * `POST /__sandbox/faults` (one fault, zod-validated, a `match.path` is a path pattern),
 * `GET|DELETE /__sandbox/faults`, `PUT|GET|DELETE /__sandbox/chaos` (seeded random faults,
 * see `chaos.ts`), `POST /__sandbox/backups` (a finished backup made directly in the
 * vendor's model, see `vendor-hooks.ts`) and `GET /__sandbox/state`.
 *
 * Call it only for a request {@link refuseAdmin} let through: loopback is not a boundary
 * (any local process, or a web page the browser sends to 127.0.0.1, can reach it).
 */
export function handleAdmin<Extra extends { kind: string }>(
  request: SimRequest,
  context: AdminContext<Extra>,
): SimResponse {
  const route = `${request.method} ${request.path}`;
  switch (route) {
    case "POST /__sandbox/faults": {
      if (request.bodyError !== undefined) {
        return { status: 400, body: { error: `invalid JSON body: ${request.bodyError}` } };
      }
      const parsed = context.faultSchema.safeParse(request.body);
      if (!parsed.success) return { status: 400, body: { error: parsed.error.issues } };
      context.faults.add(parsed.data);
      return { status: 201, body: { queued: context.faults.size } };
    }
    case "GET /__sandbox/faults":
      return { status: 200, body: { faults: describeFaults(context.faults) } };
    case "DELETE /__sandbox/faults": {
      const cleared = context.faults.size;
      context.faults.clear();
      return { status: 200, body: { cleared } };
    }
    case "PUT /__sandbox/chaos": {
      if (request.bodyError !== undefined) {
        return { status: 400, body: { error: `invalid JSON body: ${request.bodyError}` } };
      }
      const parsed = chaosConfigSchema.safeParse(request.body);
      if (!parsed.success) return { status: 400, body: { error: parsed.error.issues } };
      context.chaos.set(parsed.data);
      return { status: 200, body: { chaos: context.chaos.describe() } };
    }
    case "GET /__sandbox/chaos":
      return { status: 200, body: { chaos: context.chaos.describe() } };
    case "DELETE /__sandbox/chaos":
      context.chaos.set(undefined);
      return { status: 200, body: { chaos: context.chaos.describe() } };
    case "POST /__sandbox/backups":
      if (context.seedBackup === undefined) break;
      return seedOverHttp(context.seedBackup, request);
    case "GET /__sandbox/state":
      return {
        status: 200,
        body: {
          state: context.dumpState?.() ?? null,
          faults: describeFaults(context.faults),
          chaos: context.chaos.describe(),
          requestCount: context.requestCount(),
        },
      };
  }
  return { status: 404, body: { error: `no sandbox admin route ${route}` } };
}

/**
 * The gate of every `/__sandbox/*` route, before any of them is looked up: the caller must
 * send `Authorization: Bearer <token>` (the local runtime's WARDEN_TOKEN) — else 401 — and a
 * request with a body must say `Content-Type: application/json` — else 415 (a browser sends
 * a cross-site form or `text/plain` post without asking first; it cannot send this one).
 *
 * @returns the problem+json refusal, or `undefined` when the request may go on
 */
export function refuseAdmin(request: SimRequest, token: string): SimResponse | undefined {
  if (!bearerMatches(request.headers.authorization, token)) {
    const detail = "the sandbox admin routes need Authorization: Bearer <WARDEN_TOKEN>";
    return problemResponse(problem(401, "Unauthorized", detail), { "www-authenticate": "Bearer" });
  }
  if (request.rawBody !== "" && !isJson(request.headers["content-type"])) {
    const detail = "a sandbox admin request with a body must be Content-Type: application/json";
    return problemResponse(problem(415, "Unsupported Media Type", detail));
  }
  return undefined;
}

function isJson(contentType: string | undefined): boolean {
  return contentType?.split(";")[0]?.trim().toLowerCase() === "application/json";
}

function problemResponse(answer: HttpResponse, headers: Record<string, string> = {}): SimResponse {
  return { status: answer.status, headers: { ...answer.headers, ...headers }, body: answer.body };
}

/** The queued faults as JSON, each with its remaining uses. */
function describeFaults<Extra extends { kind: string }>(faults: FaultQueue<Extra>): unknown[] {
  return faults.list().map(({ fault, remaining }) => ({ ...fault, remaining }));
}
