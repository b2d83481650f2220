import * as z from "zod";
import { faultKind, faultSchemaWith } from "../fault-queue.ts";
import type { SimRoute } from "../http-sim.ts";
import { type DcsInstance, DEFAULT_DCS_INSTANCES, dcsStateSchema } from "./dcs-model.ts";
import {
  DCS_CODES,
  type DcsApiVersion,
  type DcsFault,
  DcsService,
  type dcsSeedSchema,
} from "./dcs-service.ts";
import { huaweiError } from "./envelope.ts";
import {
  type HuaweiSimulator,
  type HuaweiSimulatorOptions,
  startHuaweiGateway,
} from "./gateway.ts";

export type { DcsInstance } from "./dcs-model.ts";
export { DEFAULT_DCS_INSTANCES } from "./dcs-model.ts";
export type {
  DcsFault,
  FailNextDcsBackupFault,
  FailNextDcsRestoreFault,
} from "./dcs-service.ts";

/** Options of {@link startDcsSimulator}: the gateway's, plus the instances that exist. */
export interface DcsSimulatorOptions extends HuaweiSimulatorOptions {
  /** Instances that exist; default {@link DEFAULT_DCS_INSTANCES} (master/standby + single-node). */
  instances?: DcsInstance[];
  /**
   * How long a restore takes, from `waiting` to `succeed`; the instance is RESTORING (and
   * refuses backups and other restores) meanwhile. Default 30 000 ms.
   */
  restoreDurationMs?: number;
}

/**
 * A running DCS (Redis) backup and restore API simulator, v2 and v1.0. `seedBackup({
 * instanceId, remark?, backupType? })` makes a `succeed` record (`backupType` manual or
 * auto); `writeData(instanceId, usedMemoryMb)` stands in for clients writing to an
 * instance, so a restore is seen to replace its data (`used_memory`).
 */
export type DcsSimulator = HuaweiSimulator<DcsFault, DcsInstance, typeof dcsSeedSchema> & {
  writeData(instanceId: string, usedMemoryMb: number): void;
};

/**
 * Starts a loopback simulator of the DCS backup API — v2 (create, list, delete → 204,
 * show instance) and the historical v1.0 (create, list with `start`, delete → 200
 * `{"message": ""}`), and of restores (start, list records) in both — behind a simulated gateway that verifies AK/SK signatures.
 * Assumptions where the documentation is silent are marked in `dcs-service.ts`.
 *
 * @example
 * const sim = await startDcsSimulator({ jobDurationMs: 1_000 });
 * const [ha, single] = sim.instances; // backups work on `ha`, are refused on `single`
 */
export async function startDcsSimulator(options: DcsSimulatorOptions = {}): Promise<DcsSimulator> {
  const restoreDurationMs = options.restoreDurationMs ?? 30_000;
  let service: DcsService | undefined;
  const errorCode = z
    .string()
    .regex(/^dcs\.08\.\d{4}$/)
    .optional();
  const sim = await startHuaweiGateway(options, {
    stateSchema: dcsStateSchema,
    faultSchema: faultSchemaWith<DcsFault>(
      z.discriminatedUnion("kind", [
        faultKind("fail-next-backup", { errorCode }),
        faultKind("fail-next-restore", { reason: errorCode }),
      ]),
    ),
    // ASSUMPTION: DCS.5000 for generic server errors (undocumented).
    codes: { serverError: "DCS.5000", invalidParameter: DCS_CODES.invalidParameter },
    projectMismatch: () =>
      huaweiError(401, DCS_CODES.projectMismatch, "The project ID does not match the token."),
    instances: options.instances ?? DEFAULT_DCS_INSTANCES,
    instanceId: (instance) => instance.instanceId,
    service: (serviceOptions) => {
      service = new DcsService({ ...serviceOptions, restoreDurationMs });
      return service;
    },
    routes: dcsRoutes,
  });
  return {
    ...sim,
    writeData: (instanceId, usedMemoryMb) => service!.writeData(instanceId, usedMemoryMb),
  };
}

/** Show instance (v2 only), then the backup endpoints of both API generations. */
function dcsRoutes(service: DcsService): SimRoute[] {
  return [
    {
      method: "GET",
      pattern: "/v2/:projectId/instances/:instanceId",
      handler: (r) => service.instance(r.params.instanceId!),
    },
    ...backupRoutes(service, "v2"),
    ...backupRoutes(service, "v1.0"),
    ...restoreRoutes(service, "v2"),
    ...restoreRoutes(service, "v1.0"),
  ];
}

/** Restore an instance from one of its backups, and list its restore records (both generations). */
function restoreRoutes(service: DcsService, v: DcsApiVersion): SimRoute[] {
  const base = `/${v}/:projectId/instances/:instanceId/restores`;
  return [
    {
      method: "POST",
      pattern: base,
      handler: (r) => service.restore(v, r.params.instanceId!, r.body, r),
    },
    {
      method: "GET",
      pattern: base,
      handler: (r) => service.listRestores(v, r.params.instanceId!, r.query),
    },
  ];
}

/** The same three backup endpoints exist under `/v2/` and `/v1.0/`, answering each its way. */
function backupRoutes(service: DcsService, v: DcsApiVersion): SimRoute[] {
  const base = `/${v}/:projectId/instances/:instanceId/backups`;
  return [
    {
      method: "POST",
      pattern: base,
      handler: (r) => service.create(v, r.params.instanceId!, r.body, r),
    },
    {
      method: "GET",
      pattern: base,
      handler: (r) => service.list(v, r.params.instanceId!, r.query),
    },
    {
      method: "DELETE",
      pattern: `${base}/:backupId`,
      handler: (r) => service.delete(v, r.params.instanceId!, r.params.backupId!),
    },
  ];
}
