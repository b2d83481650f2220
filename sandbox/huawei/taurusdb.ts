import * as z from "zod";
import { faultKind, faultSchemaWith } from "../fault-queue.ts";
import type { SimRoute } from "../http-sim.ts";
import { GATEWAY_CODES, huaweiError } from "./envelope.ts";
import {
  type HuaweiSimulator,
  type HuaweiSimulatorOptions,
  startHuaweiGateway,
} from "./gateway.ts";
import { taurusDbStateSchema } from "./taurusdb-model.ts";
import {
  TAURUSDB_CODES,
  type TaurusDbFault,
  TaurusDbService,
  type taurusDbSeedSchema,
} from "./taurusdb-service.ts";

export type {
  FailNextBackupFault,
  FailNextRestoreFault,
  TaurusDbFault,
} from "./taurusdb-service.ts";

/** Options of {@link startTaurusDbSimulator}: the gateway's, plus instances and job visibility. */
export interface TaurusDbSimulatorOptions extends HuaweiSimulatorOptions {
  /** Instances that exist; default {@link DEFAULT_TAURUSDB_INSTANCE}. */
  instances?: string[];
  /** How long a new job is invisible to the jobs API; default 0. */
  jobVisibleAfterMs?: number;
  /** How long a restore job runs (a new instance builds, an existing one restores); default 60 000 ms. */
  restoreDurationMs?: number;
  /** How many live instances the project may hold before a restore fails for quota; default 20. */
  instanceQuota?: number;
}

/**
 * A running TaurusDB (GaussDB for MySQL) v3 backup and restore API simulator; paths start
 * `/v3/{project_id}/`. `seedBackup({ instanceId, name, description?, type? })` makes a
 * COMPLETED backup (`type` manual or auto, default manual). `instances` are the ones it
 * started with; `instanceIds()` the ones that exist now (restores add, deletes remove).
 */
export type TaurusDbSimulator = HuaweiSimulator<
  TaurusDbFault,
  string,
  typeof taurusDbSeedSchema
> & {
  /** The ids of the instances that exist now (being deleted still counts), oldest first. */
  instanceIds(): string[];
  /**
   * The backup whose data an instance holds now (the last finished restore into it, or
   * the one it was created from), or `null` for its own data. Sandbox-only.
   */
  instanceData(instanceId: string): { backupId: string; restoredAt: number } | null;
};

/** A realistic TaurusDB instance id (32 hex digits + `in07`), the default instance. */
export const DEFAULT_TAURUSDB_INSTANCE = "6d0a4c4b1f2e4a0b9c8d7e6f5a4b3c2din07";

/**
 * Starts a loopback simulator of the TaurusDB v3 backup API (create, list, delete, job)
 * behind a simulated API gateway that verifies AK/SK signatures. Envelopes, statuses and
 * codes follow docs/providers.md §3; assumptions are marked in `taurusdb-service.ts`.
 *
 * @example
 * const sim = await startTaurusDbSimulator({ jobDurationMs: 1_000 });
 * // sign requests with sim.ak / sim.sk, paths /v3/${sim.projectId}/backups…
 */
export async function startTaurusDbSimulator(
  options: TaurusDbSimulatorOptions = {},
): Promise<TaurusDbSimulator> {
  let built: TaurusDbService | undefined;
  const sim = await startHuaweiGateway(options, {
    stateSchema: taurusDbStateSchema,
    faultSchema: faultSchemaWith<TaurusDbFault>(
      z.discriminatedUnion("kind", [
        faultKind("fail-next-backup", { reason: z.string().min(1) }),
        faultKind("fail-next-restore", { reason: z.string().min(1) }),
      ]),
    ),
    // ASSUMPTION: DBS.108000 for server errors (the family docs/providers.md §6.3 names).
    codes: { serverError: "DBS.108000", invalidParameter: TAURUSDB_CODES.invalidParameter },
    // ASSUMPTION (UNCONFIRMED): the real gateway's code for another project's path.
    projectMismatch: () =>
      huaweiError(
        401,
        GATEWAY_CODES.unauthorized,
        "Incorrect IAM authentication information: project mismatch",
      ),
    instances: options.instances ?? [DEFAULT_TAURUSDB_INSTANCE],
    instanceId: (instance) => instance,
    service: (serviceOptions) => {
      built = new TaurusDbService({
        ...serviceOptions,
        jobVisibleAfterMs: options.jobVisibleAfterMs ?? 0,
        restoreDurationMs: options.restoreDurationMs ?? 60_000,
        instanceQuota: options.instanceQuota ?? 20,
      });
      return built;
    },
    routes: taurusDbRoutes,
  });
  const service = built!;
  return {
    ...sim,
    instanceIds: () => service.instances.ids(),
    instanceData: (instanceId) => service.instances.dataOf(instanceId),
  };
}

/**
 * The documented v3 backup, instance, restore and job endpoints, each answered by one
 * service operation.
 */
function taurusDbRoutes(service: TaurusDbService): SimRoute[] {
  const instances = service.instances;
  return [
    {
      method: "POST",
      pattern: "/v3/:projectId/instances",
      handler: (r) => instances.create(r.body, r),
    },
    {
      method: "POST",
      pattern: "/v3/:projectId/instances/restore",
      handler: (r) => instances.restore(r.body, r),
    },
    { method: "GET", pattern: "/v3/:projectId/instances", handler: (r) => instances.list(r.query) },
    {
      method: "GET",
      pattern: "/v3/:projectId/instances/:instanceId",
      handler: (r) => instances.show(r.params.instanceId!),
    },
    {
      method: "DELETE",
      pattern: "/v3/:projectId/instances/:instanceId",
      handler: (r) => instances.delete(r.params.instanceId!),
    },
    {
      method: "GET",
      pattern: "/v3/:projectId/immediate-jobs",
      handler: (r) => instances.immediateJobs(r.query),
    },
    {
      method: "POST",
      pattern: "/v3/:projectId/backups/create",
      handler: (r) => service.create(r.body, r),
    },
    { method: "GET", pattern: "/v3/:projectId/backups", handler: (r) => service.list(r.query) },
    {
      method: "DELETE",
      pattern: "/v3/:projectId/backups/:backupId",
      handler: (r) => service.delete(r.params.backupId!),
    },
    { method: "GET", pattern: "/v3/:projectId/jobs", handler: (r) => service.job(r.query) },
  ];
}
