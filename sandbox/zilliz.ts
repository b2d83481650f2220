import { randomBytes } from "node:crypto";
import * as z from "zod";
import { faultKind, faultSchemaWith } from "./fault-queue.ts";
import type { SimRequest, SimResponse, SimRoute } from "./http-sim.ts";
import {
  type JobTimingOptions,
  type RateLimitOptions,
  type SimulatorHandle,
  type SimulatorOptions,
  startSimulator,
} from "./simulator.ts";
import { type InventoryEntry, seedOrThrow } from "./vendor-hooks.ts";
import { ZILLIZ_CODES, type ZillizError } from "./zilliz-errors.ts";
import { type ZillizState, zillizStateSchema } from "./zilliz-model.ts";
import type { ClusterCollection } from "./zilliz-restores.ts";
import {
  type ZillizFault,
  type ZillizResult,
  ZillizService,
  type zillizSeedSchema,
} from "./zilliz-service.ts";

export type { ClusterCollection, FailNextRestoreFault } from "./zilliz-restores.ts";
export type { FailNextJobFault, ZillizFault } from "./zilliz-service.ts";

/**
 * Options of {@link startZillizSimulator}. The documented rate limit is 20 requests per
 * second per caller and endpoint; `rateLimitPerSecond` enforces it only when given.
 */
export interface ZillizSimulatorOptions
  extends SimulatorOptions,
    JobTimingOptions,
    RateLimitOptions {
  /** The accepted bearer token; default: a random one (kept in `stateFile` when set). */
  apiKey?: string;
  /** Dedicated clusters that exist; default {@link DEFAULT_ZILLIZ_CLUSTER}. */
  clusters?: string[];
  /** Clusters that exist but do not support backups (error 96022). */
  serverlessClusters?: string[];
  /** Collections (database `default`) present in every cluster; default `["medium_articles", "product_images"]`. */
  collections?: string[];
  /** How long a restore job (restoreCluster, restoreCollection) runs; default 30 000 ms. */
  restoreDurationMs?: number;
  /**
   * CUs the organisation may hold in Dedicated clusters (each configured one holds 1); a
   * restoreCluster past it is refused. Default: no limit.
   */
  cuQuota?: number;
}

/** A running Zilliz Cloud control-plane simulator; API paths start with `/v2/`. */
export interface ZillizSimulator extends SimulatorHandle<ZillizFault> {
  apiKey: string;
  /** The configured Dedicated clusters (see {@link ZillizSimulator.clusterIds} for all that exist now). */
  clusters: string[];
  /**
   * The clusters that exist now, in creation order: configured Dedicated, Serverless, then
   * those restoreCluster made (CREATING, RUNNING or DELETING; dropped ones once gone are not).
   */
  clusterIds(): string[];
  /** The collections of a cluster now, each with the restore that last wrote it. */
  collectionsOf(clusterId: string): ClusterCollection[];
  /** The single project all clusters belong to. */
  projectId: string;
  /**
   * Creates an AVAILABLE backup directly in the model (no job, no API call); the same as
   * `POST /__sandbox/backups`. `creationMethod` defaults to MANUAL, `backupType` to CLUSTER.
   *
   * @returns its backup id
   * @throws ZodError on bad input; Error for an unknown or Serverless cluster
   */
  seedBackup(input: z.input<typeof zillizSeedSchema>): string;
  /** The backups the simulator still has (CREATING or AVAILABLE), oldest first. */
  inventory(): InventoryEntry[];
}

/** A realistic Dedicated cluster id (`in01-` + 15 hex digits), the default cluster. */
export const DEFAULT_ZILLIZ_CLUSTER = "in01-7b3f9c2e5a1d804";

/**
 * Starts a Zilliz Cloud control-plane simulator on loopback that speaks the documented v2
 * backup, restore, cluster and job API (create, describe, list, delete backups; restore a
 * cluster or collection backup; describe, list, drop clusters; describe job) with the
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
  const clusters = options.clusters ?? [DEFAULT_ZILLIZ_CLUSTER];
  const { handle, state, behaviour } = await startSimulator(options, {
    stateSchema: zillizStateSchema,
    initialState: (): ZillizState => ({
      version: 1,
      apiKey: options.apiKey ?? `sandbox-${randomBytes(24).toString("hex")}`,
      projectId: `proj-${randomBytes(11).toString("hex")}`,
      seq: 0,
      nameCounters: {},
      backups: [],
      jobs: [],
      restores: [],
      restoredClusters: [],
      clusterDrops: {},
    }),
    overrides: { apiKey: options.apiKey },
    faultSchema: faultSchemaWith<ZillizFault>(
      z.discriminatedUnion("kind", [
        faultKind("fail-next-job", { reason: z.string().min(1) }),
        faultKind("fail-next-restore", { reason: z.string().min(1) }),
      ]),
    ),
    errorBody: (code, message) => ({ code, message }),
    authenticate: (request, current) => authenticate(request, current.apiKey),
    // The official Terraform client reads a `requestid` header for diagnostics.
    responseHeaders: () => ({ requestid: randomBytes(16).toString("hex") }),
    secrets: (current) => [current.apiKey],
    serve: (context) => {
      const service = new ZillizService({
        ...context,
        clusters,
        serverlessClusters: options.serverlessClusters ?? [],
        collections: options.collections ?? ["medium_articles", "product_images"],
        restoreDurationMs: options.restoreDurationMs ?? 30_000,
        cuQuota: options.cuQuota,
      });
      return {
        service,
        routes: zillizRoutes(service),
        dump: (at: number) => service.dump(at),
        seeder: service.seeder,
      };
    },
  });
  const { service } = behaviour;
  return {
    ...handle,
    apiKey: state.apiKey,
    clusters,
    projectId: state.projectId,
    seedBackup: (input) => seedOrThrow(service.seeder, input),
    inventory: () => service.inventory(),
    clusterIds: () => service.clusters.all(options.now?.() ?? Date.now()).map((c) => c.clusterId),
    collectionsOf: (clusterId) =>
      service.restores.collectionsOf(clusterId, options.now?.() ?? Date.now()),
  };
}

/** The documented v2 endpoints, each answered by one service operation (docs/providers.md §1.3, §1.7). */
function zillizRoutes(service: ZillizService): SimRoute[] {
  return [
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
    {
      method: "POST",
      pattern: "/v2/clusters/:clusterId/backups/:backupId/restoreCluster",
      handler: (r) =>
        reply(service.restores.restoreCluster(r.params.clusterId!, r.params.backupId!, r.body, r)),
    },
    {
      method: "POST",
      pattern: "/v2/clusters/:clusterId/backups/:backupId/restoreCollection",
      handler: (r) =>
        reply(
          service.restores.restoreCollection(r.params.clusterId!, r.params.backupId!, r.body, r),
        ),
    },
    {
      method: "GET",
      pattern: "/v2/clusters",
      handler: (r) => reply(service.clusters.list(r.query)),
    },
    {
      method: "GET",
      pattern: "/v2/clusters/:clusterId",
      handler: (r) => reply(service.clusters.describe(r.params.clusterId!)),
    },
    {
      method: "DELETE",
      pattern: "/v2/clusters/:clusterId/drop",
      handler: (r) => reply(service.clusters.drop(r.params.clusterId!)),
    },
  ];
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
