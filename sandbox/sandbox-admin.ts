import type * as z from "zod";
import type { FaultQueue, FaultSpec } from "./fault-queue.ts";
import type { SimRequest, SimResponse } from "./http-sim-types.ts";

/** Path prefix of the simulator-control endpoints; never part of a provider's API. */
export const ADMIN_PREFIX = "/__sandbox/";

/** What the admin endpoints need from the simulator. */
export interface AdminContext<Extra extends { kind: string }> {
  faults: FaultQueue<Extra>;
  faultSchema: z.ZodType<FaultSpec<Extra>>;
  dumpState?: () => unknown;
  requestCount: () => number;
}

/**
 * Serves the simulator-control endpoints used by the local runtime and by hand:
 * `POST /__sandbox/faults` (one fault, zod-validated, a `match.path` is a RegExp source),
 * `GET|DELETE /__sandbox/faults`, and `GET /__sandbox/state`.
 *
 * They need no credentials: simulators bind to loopback only.
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
    case "GET /__sandbox/state":
      return {
        status: 200,
        body: {
          state: context.dumpState?.() ?? null,
          faults: describeFaults(context.faults),
          requestCount: context.requestCount(),
        },
      };
    default:
      return { status: 404, body: { error: `no sandbox admin route ${route}` } };
  }
}

/** JSON has no RegExp: show a path matcher as its `/source/flags` text. */
function describeFaults<Extra extends { kind: string }>(faults: FaultQueue<Extra>): unknown[] {
  return faults.list().map(({ fault, remaining }) => ({
    ...fault,
    match:
      fault.match === undefined
        ? undefined
        : { method: fault.match.method, path: fault.match.path?.toString() },
    remaining,
  }));
}
