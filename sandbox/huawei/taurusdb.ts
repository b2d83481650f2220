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
  startJsonHttpSimulator,
} from "../http-sim.ts";
import { issueSecret } from "../issued-secrets.ts";
import { openState } from "../state-file.ts";
import { type TaurusDbState, taurusDbStateSchema } from "./taurusdb-model.ts";
import { type FailNextBackupFault, TaurusDbService } from "./taurusdb-service.ts";
import { gatewayHeaders, huaweiError, huaweiErrorBody, verifyGatewayAuth } from "./verify.ts";

export type { FailNextBackupFault } from "./taurusdb-service.ts";

/** Options of {@link startTaurusDbSimulator}. */
export interface TaurusDbSimulatorOptions {
  /** Default 0 (ephemeral); the host is always 127.0.0.1. */
  port?: number;
  /** Accepted AK/SK; default: random (kept in `stateFile` when set). */
  ak?: string;
  sk?: string;
  /** An `X-Auth-Token` accepted instead of a signature (token mode); default none. */
  authToken?: string;
  /** Instances that exist; default {@link DEFAULT_TAURUSDB_INSTANCE}. */
  instances?: string[];
  /** Time from create to COMPLETED; default 20 000 ms. */
  jobDurationMs?: number;
  /** How long a deleted backup stays listed; default 5 000 ms (UNCONFIRMED, see model). */
  deleteDurationMs?: number;
  /** How long a new job is invisible to the jobs API; default 0. */
  jobVisibleAfterMs?: number;
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

/** A running TaurusDB (GaussDB for MySQL) v3 backup API simulator. */
export interface TaurusDbSimulator {
  /** Base URL; API paths start with `/v3/{project_id}/`. */
  url: string;
  ak: string;
  sk: string;
  projectId: string;
  instances: string[];
  faults: FaultQueue<FailNextBackupFault>;
  requests: RequestLogEntry[];
  /** Adds `count` finished manual backups to an instance (default the first); their ids. */
  seedBackups(count: number, instanceId?: string): string[];
  close(): Promise<void>;
}

/** A realistic TaurusDB instance id (32 hex digits + `in07`), the default instance. */
export const DEFAULT_TAURUSDB_INSTANCE = "6d0a4c4b1f2e4a0b9c8d7e6f5a4b3c2din07";

/** Faults accepted by `POST /__sandbox/faults` on the TaurusDB simulator. */
export const taurusDbFaultSchema: z.ZodType<FaultSpec<FailNextBackupFault>> = z.discriminatedUnion(
  "kind",
  [
    statusFaultSchema,
    delayFaultSchema,
    z.object({
      kind: z.literal("fail-next-backup"),
      reason: z.string().min(1),
      ...faultCommonShape,
    }),
  ],
);

/**
 * Starts a loopback simulator of the TaurusDB v3 backup API (create, list, delete, job)
 * behind a simulated API gateway that verifies AK/SK signatures. Envelopes, statuses and
 * codes follow providers.md §3; assumptions are marked in `taurusdb-service.ts`.
 *
 * @example
 * const sim = await startTaurusDbSimulator({ jobDurationMs: 1_000 });
 * // sign requests with sim.ak / sim.sk, paths /v3/${sim.projectId}/backups…
 */
export async function startTaurusDbSimulator(
  options: TaurusDbSimulatorOptions = {},
): Promise<TaurusDbSimulator> {
  const now = options.now ?? Date.now;
  const { state, file } = openState<TaurusDbState>(
    options.stateFile,
    taurusDbStateSchema,
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

  const instances = options.instances ?? [DEFAULT_TAURUSDB_INSTANCE];
  const faults = new FaultQueue<FailNextBackupFault>();
  const service = new TaurusDbService({
    instances,
    jobDurationMs: options.jobDurationMs ?? 20_000,
    deleteDurationMs: options.deleteDurationMs ?? 5_000,
    jobVisibleAfterMs: options.jobVisibleAfterMs ?? 0,
    now,
    state,
    save: (current) => file?.save(current),
    faults,
  });
  // Every route is project-scoped; another project is refused like foreign credentials.
  // ASSUMPTION (UNCONFIRMED): the real gateway's code for this case.
  const inProject = (r: SimRequest, handle: () => SimResponse): SimResponse =>
    r.params.projectId === state.projectId
      ? handle()
      : huaweiError(
          401,
          "APIGW.0301",
          "Incorrect IAM authentication information: project mismatch",
        );

  const server = await startJsonHttpSimulator({
    port: options.port,
    faults,
    faultSchema: taurusDbFaultSchema,
    errorBody: (status, message) =>
      huaweiErrorBody(
        // ASSUMPTION: DBS.108000 for server errors (the family providers.md §6.3 names).
        status === 429
          ? "APIGW.0308"
          : status === 404
            ? "APIGW.0101"
            : status >= 500
              ? "DBS.108000"
              : "DBS.200001",
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
        method: "POST",
        pattern: "/v3/:projectId/backups/create",
        handler: (r) => inProject(r, () => service.create(r.body, r)),
      },
      {
        method: "GET",
        pattern: "/v3/:projectId/backups",
        handler: (r) => inProject(r, () => service.list(r.query)),
      },
      {
        method: "DELETE",
        pattern: "/v3/:projectId/backups/:backupId",
        handler: (r) => inProject(r, () => service.delete(r.params.backupId!)),
      },
      {
        method: "GET",
        pattern: "/v3/:projectId/jobs",
        handler: (r) => inProject(r, () => service.job(r.query)),
      },
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
    seedBackups: (count, instanceId = instances[0]!) => service.seed(instanceId, count),
    close: () => server.close(),
  };
}
