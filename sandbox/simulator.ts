import { randomBytes } from "node:crypto";
import type * as z from "zod";
import type { Chaos } from "./chaos.ts";
import { FaultQueue, type FaultSpec } from "./fault-queue.ts";
import {
  type RequestLogEntry,
  type SimRequest,
  type SimResponse,
  type SimRoute,
  startJsonHttpSimulator,
} from "./http-sim.ts";
import { issueSecret } from "./issued-secrets.ts";
import { openState } from "./state-file.ts";
import type { BackupSeeder } from "./vendor-hooks.ts";

/** Options every simulator takes, whatever vendor it stands in for. */
export interface SimulatorOptions {
  /** Default 0 (ephemeral); the host is always 127.0.0.1. */
  port?: number;
  /** When set, state is loaded at start and saved after each mutation. */
  stateFile?: string;
  /** Injectable clock (epoch ms) of the simulated service; default `Date.now`. */
  now?: () => number;
  /** Called after every provider request (admin calls excluded). */
  onRequest?: (entry: RequestLogEntry) => void;
  /**
   * The bearer token of the `/__sandbox/*` routes (the local runtime passes its
   * WARDEN_TOKEN); default a random one, read back as `adminToken` on the handle.
   */
  adminToken?: string;
}

/** How long simulated backup work takes, for the vendors whose backups run as jobs. */
export interface JobTimingOptions {
  /** Time from create until the backup (job) has finished; default 20 000 ms. */
  jobDurationMs?: number;
  /**
   * How long a deleted backup still shows after its DELETE before it is gone; default
   * 5 000 ms. ASSUMPTION (UNCONFIRMED): no vendor documents the real delay (see each model).
   */
  deleteDurationMs?: number;
}

/** Opt-in throttling, for the vendors whose API limits requests per second. */
export interface RateLimitOptions {
  /**
   * Answer HTTP 429 past N requests per second per caller and endpoint. Off by default so
   * tests are not throttled unless they ask for it.
   */
  rateLimitPerSecond?: number;
}

/**
 * What a vendor's behaviour gets from the base: the opened state, the shared machinery and
 * the job timings with their defaults filled in (vendors without jobs ignore them).
 */
export interface SimulatorContext<State, Extra extends { kind: string }>
  extends Required<JobTimingOptions> {
  /** Loaded from the state file on a restart, else the vendor's initial state. */
  state: State;
  /** Persists `state` (a no-op without a state file); call after every mutation. */
  save(): void;
  /** The vendor takes its own fault kinds from here at the moment they should bite. */
  faults: FaultQueue<Extra>;
  now: () => number;
}

/** What a vendor's `serve` hook answers: its routes and what `GET /__sandbox/state` shows. */
export interface VendorBehaviour {
  routes: SimRoute[];
  /** The vendor's state rendered at `now` (statuses follow the clock). */
  dump(now: number): unknown;
  /** Creates finished backups directly in the model for `POST /__sandbox/backups`. */
  seeder?: BackupSeeder<z.ZodType>;
}

/**
 * Everything a vendor supplies: its state and its HTTP surface. The base does the rest
 * (state file, fault queue, admin routes, listening, close).
 */
export interface SimulatorVendor<
  State extends object,
  Extra extends { kind: string },
  Behaviour extends VendorBehaviour,
> {
  /** Validates the state file, so a stale or hand-edited one fails loudly. */
  stateSchema: z.ZodType<State>;
  /** The state of a first start (no state file yet). */
  initialState(): State;
  /** Stored fields the caller's options win over (the credentials it passes). */
  overrides?: Partial<State>;
  /** What `POST /__sandbox/faults` accepts: the transport faults and the vendor's own. */
  faultSchema: z.ZodType<FaultSpec<Extra>>;
  /** The vendor's error envelope, for 404s, throttling, injected statuses and crashes. */
  errorBody(status: number, message: string): unknown;
  /**
   * The account a request comes from, for the rate limit (default: its Authorization
   * header; a signature that differs per request needs the key id read out of it).
   */
  callerOf?(request: SimRequest): string;
  /** Runs after route matching; a response rejects the request as the vendor would. */
  authenticate?(request: SimRequest, state: State): SimResponse | undefined;
  /** Headers the vendor adds to every response (e.g. a request id). */
  responseHeaders?(): Record<string, string>;
  /** The credentials the vendor accepts, recorded so tests can prove none ever leaks. */
  secrets?(state: State): Array<string | undefined>;
  /** Builds the vendor's behaviour on the opened state; called once, before listening. */
  serve(context: SimulatorContext<State, Extra>): Behaviour;
}

/** The part of a running simulator that every vendor exposes as it is. */
export interface SimulatorHandle<Extra extends { kind: string } = never> {
  /** Base URL, e.g. `http://127.0.0.1:54321`. */
  url: string;
  /** What `/__sandbox/*` requests must send as `Authorization: Bearer <adminToken>`. */
  adminToken: string;
  /** Queue faults here (or over HTTP at `POST /__sandbox/faults`). */
  faults: FaultQueue<Extra>;
  /** Provider requests in arrival order of their responses; tests may read or truncate it. */
  requests: RequestLogEntry[];
  /**
   * Seeded random transport faults: `chaos.set({ seed, rate, kinds })`, `chaos.set(undefined)`,
   * `chaos.counts` (or `PUT|DELETE /__sandbox/chaos` over HTTP). Queued faults come first.
   */
  chaos: Chaos;
  /** Stops listening, drops open connections and abandons requests and responses held by faults. */
  close(): Promise<void>;
}

/** A started simulator: the shared handle plus what the vendor needs to build its own. */
export interface StartedSimulator<State, Extra extends { kind: string }, Behaviour> {
  handle: SimulatorHandle<Extra>;
  state: State;
  behaviour: Behaviour;
}

/**
 * Starts one vendor simulator on loopback: opens its state (from `stateFile` when given),
 * creates its fault queue, lets the vendor build its routes on them, then serves those
 * routes behind the shared admin endpoints, faults, authentication and rate limit.
 *
 * @example
 * ```ts
 * const { handle, state } = await startSimulator(options, {
 *   stateSchema: z.object({ hits: z.number() }),
 *   initialState: () => ({ hits: 0 }),
 *   faultSchema: httpFaultSchema,
 *   errorBody: (status, message) => ({ status, message }),
 *   serve: ({ state, save }) => ({
 *     dump: () => state,
 *     routes: [{ method: "POST", pattern: "/hits", handler: () => (state.hits++, save(), { status: 204 }) }],
 *   }),
 * });
 * ```
 */
export async function startSimulator<
  State extends object,
  Extra extends { kind: string },
  Behaviour extends VendorBehaviour,
>(
  options: SimulatorOptions & JobTimingOptions & RateLimitOptions,
  vendor: SimulatorVendor<State, Extra, Behaviour>,
): Promise<StartedSimulator<State, Extra, Behaviour>> {
  const now = options.now ?? Date.now;
  const { state, save } = openState(
    options.stateFile,
    vendor.stateSchema,
    () => vendor.initialState(),
    vendor.overrides,
  );
  const faults = new FaultQueue<Extra>();
  const behaviour = vendor.serve({
    state,
    save,
    faults,
    now,
    jobDurationMs: options.jobDurationMs ?? 20_000,
    deleteDurationMs: options.deleteDurationMs ?? 5_000,
  });
  const perSecond = options.rateLimitPerSecond;
  const adminToken = options.adminToken ?? randomBytes(24).toString("base64url");
  const server = await startJsonHttpSimulator({
    port: options.port,
    adminToken,
    routes: behaviour.routes,
    faults,
    faultSchema: vendor.faultSchema,
    errorBody: (status, message) => vendor.errorBody(status, message),
    authenticate: (request) => vendor.authenticate?.(request, state),
    rateLimit:
      perSecond === undefined
        ? undefined
        : {
            requestsPerSecond: perSecond,
            now,
            ...(vendor.callerOf ? { callerOf: (r: SimRequest) => vendor.callerOf!(r) } : {}),
          },
    responseHeaders: () => vendor.responseHeaders?.() ?? {},
    dumpState: () => behaviour.dump(now()),
    onRequest: options.onRequest,
    seedBackup: behaviour.seeder,
  });
  for (const secret of vendor.secrets?.(state) ?? []) issueSecret(secret);
  const handle = {
    url: server.url,
    adminToken,
    faults,
    requests: server.requests,
    chaos: server.chaos,
    close: () => server.close(),
  };
  return { handle, state, behaviour };
}
