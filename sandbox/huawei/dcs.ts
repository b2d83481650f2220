import { randomBytes } from "node:crypto";
import * as z from "zod";
import {
  delayFaultSchema,
  FaultQueue,
  type FaultSpec,
  faultCommonShape,
  statusFaultSchema,
} from "../fault-queue.ts";
import {
  type RequestLogEntry,
  type SimRequest,
  type SimResponse,
  type SimRoute,
  startJsonHttpSimulator,
} from "../http-sim.ts";
import { issueSecret } from "../issued-secrets.ts";
import { openState } from "../state-file.ts";
import {
  type DcsInstance,
  type DcsState,
  DEFAULT_DCS_INSTANCES,
  dcsStateSchema,
} from "./dcs-model.ts";
import {
  DCS_CODES,
  type DcsApiVersion,
  DcsService,
  type FailNextDcsBackupFault,
} from "./dcs-service.ts";
import { gatewayHeaders, huaweiError, huaweiErrorBody, verifyGatewayAuth } from "./verify.ts";

export type { DcsInstance } from "./dcs-model.ts";
export { DEFAULT_DCS_INSTANCES } from "./dcs-model.ts";
export type { FailNextDcsBackupFault } from "./dcs-service.ts";

/** Options of {@link startDcsSimulator}. */
export interface DcsSimulatorOptions {
  /** Default 0 (ephemeral); the host is always 127.0.0.1. */
  port?: number;
  /** Accepted AK/SK; default: random (kept in `stateFile` when set). */
  ak?: string;
  sk?: string;
  /** An `X-Auth-Token` accepted instead of a signature (token mode); default none. */
  authToken?: string;
  /** Instances that exist; default {@link DEFAULT_DCS_INSTANCES} (master/standby + single-node). */
  instances?: DcsInstance[];
  /** Time from create to `succeed`; default 20 000 ms. */
  jobDurationMs?: number;
  /** How long a deleted record still shows its last status before `deleted`; default 5 000 ms. */
  deleteDurationMs?: number;
  /** When set, state is loaded at start and saved after each mutation. */
  stateFile?: string;
  /** Injectable clock (epoch ms) of the simulated service; default `Date.now`. */
  now?: () => number;
  /**
   * The gateway's clock for the `X-Sdk-Date` skew check; default `now`. Give `Date.now`
   * when clients sign with the wall clock while `now` is a hand-driven test clock.
   */
  gatewayNow?: () => number;
  /** Called after every provider request (admin calls excluded). */
  onRequest?: (entry: RequestLogEntry) => void;
}

/** A running DCS (Redis) backup API simulator, v2 and v1.0. */
export interface DcsSimulator {
  url: string;
  ak: string;
  sk: string;
  projectId: string;
  instances: DcsInstance[];
  faults: FaultQueue<FailNextDcsBackupFault>;
  requests: RequestLogEntry[];
  /** Adds `count` finished manual backups to an instance (default the first); their ids. */
  seedBackups(count: number, instanceId?: string): string[];
  close(): Promise<void>;
}

/** Faults accepted by `POST /__sandbox/faults` on the DCS simulator. */
export const dcsFaultSchema: z.ZodType<FaultSpec<FailNextDcsBackupFault>> = z.discriminatedUnion(
  "kind",
  [
    statusFaultSchema,
    delayFaultSchema,
    z.object({
      kind: z.literal("fail-next-backup"),
      errorCode: z
        .string()
        .regex(/^dcs\.08\.\d{4}$/)
        .optional(),
      ...faultCommonShape,
    }),
  ],
);

/**
 * Starts a loopback simulator of the DCS backup API — v2 (create, list, delete → 204,
 * show instance) and the historical v1.0 (create, list with `start`, delete → 200
 * `{"message": ""}`) — behind a simulated gateway that verifies AK/SK signatures.
 * Assumptions where the documentation is silent are marked in `dcs-service.ts`.
 *
 * @example
 * const sim = await startDcsSimulator({ jobDurationMs: 1_000 });
 * const [ha, single] = sim.instances; // backups work on `ha`, are refused on `single`
 */
export async function startDcsSimulator(options: DcsSimulatorOptions = {}): Promise<DcsSimulator> {
  const now = options.now ?? Date.now;
  const { state, file } = openState<DcsState>(
    options.stateFile,
    dcsStateSchema,
    () => ({
      version: 1,
      ak: options.ak ?? randomBytes(10).toString("hex").toUpperCase(),
      sk: options.sk ?? randomBytes(20).toString("base64url"),
      projectId: randomBytes(16).toString("hex"),
      seq: 0,
      backups: [],
    }),
    { ak: options.ak, sk: options.sk },
  );

  const instances = options.instances ?? DEFAULT_DCS_INSTANCES;
  const faults = new FaultQueue<FailNextDcsBackupFault>();
  const service = new DcsService({
    instances,
    jobDurationMs: options.jobDurationMs ?? 20_000,
    deleteDurationMs: options.deleteDurationMs ?? 5_000,
    now,
    state,
    save: (current) => file?.save(current),
    faults,
  });
  const inProject = (r: SimRequest, handle: () => SimResponse): SimResponse =>
    r.params.projectId === state.projectId
      ? handle()
      : huaweiError(401, DCS_CODES.projectMismatch, "The project ID does not match the token.");
  const backupRoutes = (v: DcsApiVersion): SimRoute[] => [
    {
      method: "POST",
      pattern: `/${v}/:projectId/instances/:instanceId/backups`,
      handler: (r) => inProject(r, () => service.create(v, r.params.instanceId!, r.body, r)),
    },
    {
      method: "GET",
      pattern: `/${v}/:projectId/instances/:instanceId/backups`,
      handler: (r) => inProject(r, () => service.list(v, r.params.instanceId!, r.query)),
    },
    {
      method: "DELETE",
      pattern: `/${v}/:projectId/instances/:instanceId/backups/:backupId`,
      handler: (r) =>
        inProject(r, () => service.delete(v, r.params.instanceId!, r.params.backupId!)),
    },
  ];

  const server = await startJsonHttpSimulator({
    port: options.port,
    faults,
    faultSchema: dcsFaultSchema,
    errorBody: (status, message) =>
      huaweiErrorBody(
        // ASSUMPTION: DCS.5000 for generic server errors (undocumented).
        status === 429
          ? "APIGW.0308"
          : status === 404
            ? "APIGW.0101"
            : status >= 500
              ? "DCS.5000"
              : DCS_CODES.invalidParameter,
        message,
      ),
    authenticate: (r) =>
      verifyGatewayAuth(r, {
        ak: state.ak,
        sk: state.sk,
        authToken: options.authToken,
        now: options.gatewayNow ?? now,
      }),
    responseHeaders: gatewayHeaders,
    dumpState: () => service.dump(),
    onRequest: options.onRequest,
    routes: [
      {
        method: "GET",
        pattern: "/v2/:projectId/instances/:instanceId",
        handler: (r) => inProject(r, () => service.instance(r.params.instanceId!)),
      },
      ...backupRoutes("v2"),
      ...backupRoutes("v1.0"),
    ],
  });

  issueSecret(state.sk);
  issueSecret(options.authToken);
  return {
    url: server.url,
    ak: state.ak,
    sk: state.sk,
    projectId: state.projectId,
    instances,
    faults,
    requests: server.requests,
    seedBackups: (count, instanceId = instances[0]!.instanceId) => service.seed(instanceId, count),
    close: () => server.close(),
  };
}
