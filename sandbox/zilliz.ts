import { randomBytes } from "node:crypto";
import * as z from "zod";
import {
  delayFaultSchema,
  FaultQueue,
  type FaultSpec,
  faultCommonShape,
  statusFaultSchema,
} from "./fault-queue.ts";
import {
  type RequestLogEntry,
  type SimRequest,
  type SimResponse,
  startJsonHttpSimulator,
} from "./http-sim.ts";
import { issueSecret } from "./issued-secrets.ts";
import { openState } from "./state-file.ts";
import { ZILLIZ_CODES, type ZillizError } from "./zilliz-errors.ts";
import { type ZillizState, zillizStateSchema } from "./zilliz-model.ts";
import { type FailNextJobFault, type ZillizResult, ZillizService } from "./zilliz-service.ts";

export type { FailNextJobFault } from "./zilliz-service.ts";

/** Options of {@link startZillizSimulator}. */
export interface ZillizSimulatorOptions {
  /** Default 0 (ephemeral); the host is always 127.0.0.1. */
  port?: number;
  /** The accepted bearer token; default: a random one (kept in `stateFile` when set). */
  apiKey?: string;
  /** Dedicated clusters that exist; default {@link DEFAULT_ZILLIZ_CLUSTER}. */
  clusters?: string[];
  /** Clusters that exist but do not support backups (error 96022). */
  serverlessClusters?: string[];
  /** Collections (database `default`) present in every cluster; default `["medium_articles", "product_images"]`. */
  collections?: string[];
  /** Time from create to SUCCESSFUL; default 20 000 ms. */
  jobDurationMs?: number;
  /**
   * How long describe still reports a deleted backup as DELETED before answering "not
   * found"; default 5 000 ms. ASSUMPTION (UNCONFIRMED): the real delay is not documented.
   */
  deleteDurationMs?: number;
  /** When set, state is loaded at start and saved after each mutation. */
  stateFile?: string;
  /** Injectable clock (epoch ms); default `Date.now`. */
  now?: () => number;
  /**
   * Enforce the documented limit of N requests per second per caller and endpoint with
   * HTTP 429; off by default so tests are not throttled unless they ask for it (20 is real).
   */
  rateLimitPerSecond?: number;
  /** Called after every provider request (admin calls excluded). */
  onRequest?: (entry: RequestLogEntry) => void;
}

/** A running Zilliz Cloud control-plane simulator. */
export interface ZillizSimulator {
  /** Base URL, e.g. `http://127.0.0.1:54321`; API paths start with `/v2/`. */
  url: string;
  apiKey: string;
  clusters: string[];
  /** The single project all clusters belong to. */
  projectId: string;
  faults: FaultQueue<FailNextJobFault>;
  requests: RequestLogEntry[];
  close(): Promise<void>;
}

/** A realistic Dedicated cluster id (`in01-` + 15 hex digits), the default cluster. */
export const DEFAULT_ZILLIZ_CLUSTER = "in01-7b3f9c2e5a1d804";

const failNextJobFaultSchema = z.object({
  kind: z.literal("fail-next-job"),
  reason: z.string().min(1),
  ...faultCommonShape,
});

/** Faults accepted by `POST /__sandbox/faults` on the Zilliz simulator. */
export const zillizFaultSchema: z.ZodType<FaultSpec<FailNextJobFault>> = z.discriminatedUnion(
  "kind",
  [statusFaultSchema, delayFaultSchema, failNextJobFaultSchema],
);

/**
 * Starts a Zilliz Cloud control-plane simulator on loopback that speaks the documented v2
 * backup and job API (create, describe, list, delete backups; describe job) with the
 * `{code: 0, data}` / `{code, message}` envelopes. See `zilliz-errors.ts` for the HTTP
 * status policy and every assumption made where the documentation is silent.
 *
 * @example
 * ```ts
 * const sim = await startZillizSimulator({ jobDurationMs: 1_000 });
 * await fetch(`${sim.url}/v2/clusters/${sim.clusters[0]}/backups/create`, {
 *   method: "POST",
 *   headers: { authorization: `Bearer ${sim.apiKey}`, "content-type": "application/json" },
 *   body: JSON.stringify({ backupType: "CLUSTER" }),
 * });
 * await sim.close();
 * ```
 */
export async function startZillizSimulator(
  options: ZillizSimulatorOptions = {},
): Promise<ZillizSimulator> {
  const now = options.now ?? Date.now;
  const { state, file } = openState<ZillizState>(
    options.stateFile,
    zillizStateSchema,
    () => ({
      version: 1,
      apiKey: options.apiKey ?? `sandbox-${randomBytes(24).toString("hex")}`,
      projectId: `proj-${randomBytes(11).toString("hex")}`,
      seq: 0,
      nameCounters: {},
      backups: [],
      jobs: [],
    }),
    { apiKey: options.apiKey },
  );

  const clusters = options.clusters ?? [DEFAULT_ZILLIZ_CLUSTER];
  const faults = new FaultQueue<FailNextJobFault>();
  const service = new ZillizService({
    clusters,
    serverlessClusters: options.serverlessClusters ?? [],
    collections: options.collections ?? ["medium_articles", "product_images"],
    jobDurationMs: options.jobDurationMs ?? 20_000,
    deleteDurationMs: options.deleteDurationMs ?? 5_000,
    now,
    state,
    save: (current) => file?.save(current),
    faults,
  });

  const server = await startJsonHttpSimulator({
    port: options.port,
    faults,
    faultSchema: zillizFaultSchema,
    errorBody: (code, message) => ({ code, message }),
    authenticate: (request) => authenticate(request, state.apiKey),
    rateLimit:
      options.rateLimitPerSecond === undefined
        ? undefined
        : { requestsPerSecond: options.rateLimitPerSecond, now },
    // The official Terraform client reads a `requestid` header for diagnostics.
    responseHeaders: () => ({ requestid: randomBytes(16).toString("hex") }),
    dumpState: () => service.dump(),
    onRequest: options.onRequest,
    routes: [
      {
        method: "POST",
        pattern: "/v2/clusters/:clusterId/backups/create",
        handler: (r) => reply(service.createBackup(r.params.clusterId!, r.body, r)),
      },
      {
        method: "GET",
        pattern: "/v2/clusters/:clusterId/backups/:backupId",
        handler: (r) => reply(service.describeBackup(r.params.clusterId!, r.params.backupId!)),
      },
      {
        method: "DELETE",
        pattern: "/v2/clusters/:clusterId/backups/:backupId",
        handler: (r) => reply(service.deleteBackup(r.params.clusterId!, r.params.backupId!)),
      },
      {
        method: "GET",
        pattern: "/v2/backups",
        handler: (r) => reply(service.listBackups(r.query)),
      },
      {
        method: "GET",
        pattern: "/v2/jobs/:jobId",
        handler: (r) => reply(service.describeJob(r.params.jobId!)),
      },
    ],
  });

  issueSecret(state.apiKey);
  return {
    url: server.url,
    apiKey: state.apiKey,
    clusters,
    projectId: state.projectId,
    faults,
    requests: server.requests,
    close: () => server.close(),
  };
}

/** A missing or wrong bearer token is HTTP 401 + the documented 21119 envelope. */
function authenticate(request: SimRequest, apiKey: string): SimResponse | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? "");
  if (match?.[1] === apiKey) return undefined;
  return {
    status: 401,
    body: { code: ZILLIZ_CODES.apiKeyIllegal, message: "The apikey is illegal." },
  };
}

function reply<T>(result: ZillizResult<T>): SimResponse {
  if ("error" in result) {
    const { httpStatus, code, message }: ZillizError = result.error;
    return { status: httpStatus, body: { code, message } };
  }
  return { status: 200, body: { code: 0, data: result.data } };
}
