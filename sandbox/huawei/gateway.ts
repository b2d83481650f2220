import { randomBytes } from "node:crypto";
import type * as z from "zod";
import type { FaultSpec } from "../fault-queue.ts";
import type { SimResponse, SimRoute } from "../http-sim.ts";
import {
  type JobTimingOptions,
  type RateLimitOptions,
  type SimulatorHandle,
  type SimulatorOptions,
  startSimulator,
} from "../simulator.ts";
import { type InventoryEntry, seedOrThrow } from "../vendor-hooks.ts";
import { gatewayErrorBody, gatewayHeaders, type ServiceErrorCodes } from "./envelope.ts";
import type { HuaweiBackupService, HuaweiServiceOptions, HuaweiState } from "./model.ts";
import { verifyGatewayAuth } from "./verify.ts";

/** Options every Huawei simulator takes: the gateway's credentials and clock on top of the base's. */
export interface HuaweiSimulatorOptions
  extends SimulatorOptions,
    JobTimingOptions,
    RateLimitOptions {
  /** Accepted AK/SK; default: random (kept in `stateFile` when set). */
  ak?: string;
  sk?: string;
  /** An `X-Auth-Token` accepted instead of a signature (token mode); default none. */
  authToken?: string;
  /**
   * The gateway's clock for the `X-Sdk-Date` skew check; default `now`. Give `Date.now`
   * when clients sign with the wall clock while `now` is a hand-driven test clock.
   */
  gatewayNow?: () => number;
}

/**
 * What every running Huawei simulator exposes: its handle, credentials and instances.
 * `SeedSchema` validates what {@link HuaweiSimulator.seedBackup} (and `POST
 * /__sandbox/backups`) takes.
 */
export interface HuaweiSimulator<
  Extra extends { kind: string },
  Instance,
  SeedSchema extends z.ZodType = z.ZodType,
> extends SimulatorHandle<Extra> {
  ak: string;
  sk: string;
  /** The one project every path names (`/{version}/{project_id}/…`). */
  projectId: string;
  instances: Instance[];
  /** Adds `count` finished manual backups to an instance (default the first); their ids. */
  seedBackups(count: number, instanceId?: string): string[];
  /**
   * Creates one finished backup directly in the model (no API call, no busy check); the
   * same as `POST /__sandbox/backups`.
   *
   * @returns its backup id
   * @throws ZodError on bad input; Error for an unknown instance or a refused one
   */
  seedBackup(input: z.input<SeedSchema>): string;
  /** The backups the simulator still has (none deleted), oldest first. */
  inventory(): InventoryEntry[];
}

/** What one Huawei service puts behind the shared gateway. */
export interface HuaweiServiceSpec<Backup, Extra extends { kind: string }, Instance, Service> {
  stateSchema: z.ZodType<HuaweiState<Backup>>;
  faultSchema: z.ZodType<FaultSpec<Extra>>;
  /** The service's codes for the generic errors the shared machinery answers. */
  codes: ServiceErrorCodes;
  /** The answer to a path that names another project (each service words it its own way). */
  projectMismatch(): SimResponse;
  instances: Instance[];
  /** An instance's id; seeding goes to the first instance unless told otherwise. */
  instanceId(instance: Instance): string;
  /** Builds the service on the opened state. */
  service(options: HuaweiServiceOptions<Backup, Extra, Instance>): Service;
  /** The service's endpoints; every pattern has `:projectId`, which the gateway checks. */
  routes(service: Service): SimRoute[];
}

/**
 * Starts a Huawei service simulator behind the simulated API gateway both Huawei services
 * share: AK/SK signature (or token) verification, the `{error_code, error_msg}` envelope,
 * the gateway's request id header, project-scoped paths and generated credentials.
 */
export async function startHuaweiGateway<
  Backup,
  Extra extends { kind: string },
  Instance,
  Service extends HuaweiBackupService,
>(
  options: HuaweiSimulatorOptions,
  spec: HuaweiServiceSpec<Backup, Extra, Instance, Service>,
): Promise<HuaweiSimulator<Extra, Instance, Service["seeder"]["schema"]>> {
  const gatewayNow = options.gatewayNow ?? options.now ?? Date.now;
  const { handle, state, behaviour } = await startSimulator(options, {
    stateSchema: spec.stateSchema,
    initialState: (): HuaweiState<Backup> => ({
      version: 1,
      ak: options.ak ?? randomBytes(10).toString("hex").toUpperCase(),
      sk: options.sk ?? randomBytes(20).toString("base64url"),
      projectId: randomBytes(16).toString("hex"),
      seq: 0,
      backups: [],
    }),
    overrides: { ak: options.ak, sk: options.sk },
    // A signature differs per request: the account is the access key it names.
    callerOf: (request) =>
      /Access=([^,\s]+)/.exec(String(request.headers.authorization ?? ""))?.[1] ??
      String(request.headers["x-auth-token"] ?? ""),
    faultSchema: spec.faultSchema,
    errorBody: gatewayErrorBody(spec.codes),
    authenticate: (request, current) =>
      verifyGatewayAuth(request, {
        ak: current.ak,
        sk: current.sk,
        authToken: options.authToken,
        now: gatewayNow,
      }),
    responseHeaders: gatewayHeaders,
    secrets: (current) => [current.sk, options.authToken],
    serve: (context) => {
      const service = spec.service({ ...context, instances: spec.instances });
      const routes = spec.routes(service);
      const scoped = routes.map((route) => inProject(route, context.state, spec.projectMismatch));
      return {
        routes: scoped,
        service,
        dump: (now: number) => service.dump(now),
        seeder: service.seeder,
      };
    },
  });
  const { instances } = spec;
  return {
    ...handle,
    ak: state.ak,
    sk: state.sk,
    projectId: state.projectId,
    instances,
    seedBackups: (count, instanceId = spec.instanceId(instances[0]!)) =>
      behaviour.service.seed(instanceId, count),
    seedBackup: (input) => seedOrThrow(behaviour.service.seeder, input),
    inventory: () => behaviour.service.inventory(),
  };
}

/** Every Huawei path names its project; another project is refused before the service runs. */
function inProject(
  route: SimRoute,
  state: { projectId: string },
  mismatch: () => SimResponse,
): SimRoute {
  return {
    ...route,
    handler: (request) =>
      request.params.projectId === state.projectId ? route.handler(request) : mismatch(),
  };
}
