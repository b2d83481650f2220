import * as z from "zod";
import { matchesPathPattern, pathPatternProblem } from "./path-pattern.ts";

/** Which requests a fault applies to; omitted fields match everything. */
export interface FaultMatch {
  /** HTTP method, compared case-insensitively. */
  method?: string;
  /**
   * A path pattern (see `path-pattern.ts`): the exact request path (no query), or with `*`
   * for one segment and one `**` for any number, e.g. `/v2/jobs/**`. Never a RegExp.
   */
  path?: string;
}

/** Fields every fault shares, whatever its kind. */
export interface FaultCommon {
  match?: FaultMatch;
  /** How many matching requests the fault affects before it is used up; default 1. */
  times?: number;
}

/** HTTP statuses a `status` fault may answer with (throttling and server-side failures). */
export const FAULT_STATUSES = [429, 500, 502, 503, 504] as const;

/** Answers the matching request with an error status instead of running the simulator. */
export interface StatusFault extends FaultCommon {
  kind: "status";
  status: (typeof FAULT_STATUSES)[number];
  /** Sent as the `Retry-After` header (seconds). */
  retryAfterSeconds?: number;
  /** Response body; a string is sent as text, anything else as JSON. Default: the simulator's error envelope. */
  body?: unknown;
}

/** Holds the matching request for `delayMs` (wall-clock) before it is handled normally. */
export interface DelayFault extends FaultCommon {
  kind: "delay";
  delayMs: number;
}

/**
 * Lets the vendor handle the matching request normally (its state changes), then destroys
 * the connection without sending any response: the client sees a socket error and cannot
 * tell whether the vendor acted.
 */
export interface DropResponseFault extends FaultCommon {
  kind: "drop-response";
}

/**
 * Lets the vendor handle the matching request normally, then holds its response for
 * `delayMs` (wall-clock) before sending it: a client with a shorter timeout gives up while
 * the vendor has already acted. A held response is abandoned when the simulator closes.
 */
export interface HoldResponseFault extends FaultCommon {
  kind: "hold-response";
  delayMs: number;
}

/** The transport faults that act on a vendor's response rather than on its request. */
export type ResponseFault = DropResponseFault | HoldResponseFault;

/** Faults that every simulator applies at the transport layer. */
export type HttpFault = StatusFault | DelayFault | ResponseFault;

/** The kinds of {@link HttpFault}. */
export const HTTP_FAULT_KINDS = ["status", "delay", "drop-response", "hold-response"] as const;

/** What `FaultQueue.add` accepts: transport faults plus the simulator's own kinds. */
export type FaultSpec<Extra extends { kind: string } = never> = HttpFault | (Extra & FaultCommon);

/** The request facts a fault is matched against. */
export interface FaultTarget {
  method: string;
  path: string;
}

interface QueuedFault<F> {
  fault: F;
  remaining: number;
}

/**
 * An ordered list of injected faults shared by all sandbox simulators.
 *
 * The HTTP layer consumes the transport kinds (`status`, `delay`, `drop-response`,
 * `hold-response`, see {@link HttpFault}); a simulator consumes its own kinds
 * (for example Zilliz `fail-next-job`) with {@link FaultQueue.take} at the moment the fault
 * should bite, so a rejected request does not use it up.
 *
 * @example
 * ```ts
 * sim.faults.add({ kind: "status", status: 429, retryAfterSeconds: 2, match: { method: "POST" } });
 * sim.faults.add({ kind: "delay", delayMs: 5_000, times: 3 });
 * ```
 */
export class FaultQueue<Extra extends { kind: string } = never> {
  readonly #queue: Array<QueuedFault<FaultSpec<Extra>>> = [];

  /** Queues a fault; it applies to the next `times` (default 1) matching requests. */
  add(fault: FaultSpec<Extra>): void {
    const times = fault.times ?? 1;
    if (!(times > 0)) throw new RangeError(`fault.times must be positive, got ${times}`);
    checkMatch(fault.match, "fault");
    this.#queue.push({ fault, remaining: times });
  }

  /** Removes every queued fault. */
  clear(): void {
    this.#queue.length = 0;
  }

  /** Number of faults still queued. */
  get size(): number {
    return this.#queue.length;
  }

  /** The queued faults with their remaining use counts (for debugging dumps). */
  list(): Array<{ fault: FaultSpec<Extra>; remaining: number }> {
    return this.#queue.map(({ fault, remaining }) => ({ fault, remaining }));
  }

  /**
   * Consumes one use of the oldest queued fault of `kind` that matches `target`.
   *
   * @returns the fault, or `undefined` when none applies
   */
  take<K extends FaultSpec<Extra>["kind"]>(
    kind: K,
    target: FaultTarget,
  ): Extract<FaultSpec<Extra>, { kind: K }> | undefined {
    return this.#take(
      (fault): fault is Extract<FaultSpec<Extra>, { kind: K }> => fault.kind === kind,
      target,
    );
  }

  /** Consumes one use of the oldest matching `delay` fault (used by the HTTP layer). */
  takeDelay(target: FaultTarget): DelayFault | undefined {
    return this.#take((fault): fault is DelayFault => fault.kind === "delay", target);
  }

  /** Consumes one use of the oldest matching `status` fault (used by the HTTP layer). */
  takeStatus(target: FaultTarget): StatusFault | undefined {
    return this.#take((fault): fault is StatusFault => fault.kind === "status", target);
  }

  /**
   * Consumes one use of the oldest matching `drop-response` or `hold-response` fault (used
   * by the HTTP layer once the request is known to reach the vendor).
   */
  takeResponseFault(target: FaultTarget): ResponseFault | undefined {
    return this.#take(isResponseFault, target);
  }

  /**
   * True when a queued transport fault (any {@link HttpFault} kind) matches `target`,
   * without consuming it: such a request gets no chaos fault (queued faults come first).
   */
  hasTransportFault(target: FaultTarget): boolean {
    return this.#queue.some(
      ({ fault }) =>
        (HTTP_FAULT_KINDS as readonly string[]).includes(fault.kind) &&
        matches(fault.match, target),
    );
  }

  #take<F extends FaultSpec<Extra>>(
    isWanted: (fault: FaultSpec<Extra>) => fault is F,
    target: FaultTarget,
  ): F | undefined {
    const index = this.#queue.findIndex(
      (entry) => isWanted(entry.fault) && matches(entry.fault.match, target),
    );
    const entry = this.#queue[index];
    if (entry === undefined || !isWanted(entry.fault)) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.#queue.splice(index, 1);
    return entry.fault;
  }
}

function isResponseFault(fault: { kind: string }): fault is ResponseFault {
  return fault.kind === "drop-response" || fault.kind === "hold-response";
}

/** True when `target` is a request `match` selects (an absent `match` selects all). */
export function matches(match: FaultMatch | undefined, target: FaultTarget): boolean {
  if (match === undefined) return true;
  if (match.method !== undefined && match.method.toUpperCase() !== target.method.toUpperCase()) {
    return false;
  }
  return match.path === undefined || matchesPathPattern(match.path, target.path);
}

/**
 * Refuses a `match` whose path is not a path pattern (the JS API; over HTTP the schema does).
 *
 * @throws RangeError naming `what` (`fault`, `chaos`) and the rule broken
 */
export function checkMatch(match: FaultMatch | undefined, what: string): void {
  const problem = match?.path === undefined ? undefined : pathPatternProblem(match.path);
  if (problem !== undefined) throw new RangeError(`${what}.match.path: ${problem}`);
}

/** A fault's or chaos's `match` as posted: the path is a path pattern, never a RegExp. */
export const matchSchema = z.object({
  method: z.string().min(1).max(32).optional(),
  path: z
    .string()
    .superRefine((pattern, ctx) => {
      const problem = pathPatternProblem(pattern);
      if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
    })
    .optional(),
});

/** Schema of the fields shared by every fault posted to `POST /__sandbox/faults`. */
export const faultCommonShape = {
  match: matchSchema.optional(),
  times: z.number().int().positive().optional(),
};

/** Zod schema for a `status` fault posted over HTTP. */
export const statusFaultSchema = z.object({
  kind: z.literal("status"),
  status: z.literal(FAULT_STATUSES),
  retryAfterSeconds: z.number().int().nonnegative().optional(),
  body: z.unknown().optional(),
  ...faultCommonShape,
});

/** Zod schema for a `delay` fault posted over HTTP. */
export const delayFaultSchema = z.object({
  kind: z.literal("delay"),
  delayMs: z.number().int().nonnegative(),
  ...faultCommonShape,
});

/** Zod schema for a `drop-response` fault posted over HTTP. */
export const dropResponseFaultSchema = z.object({
  kind: z.literal("drop-response"),
  ...faultCommonShape,
});

/** Zod schema for a `hold-response` fault posted over HTTP. */
export const holdResponseFaultSchema = z.object({
  kind: z.literal("hold-response"),
  delayMs: z.number().int().nonnegative(),
  ...faultCommonShape,
});

/** Zod schema for a transport fault posted over HTTP (what a simulator without own kinds takes). */
export const httpFaultSchema: z.ZodType<FaultSpec> = z.discriminatedUnion("kind", [
  statusFaultSchema,
  delayFaultSchema,
  dropResponseFaultSchema,
  holdResponseFaultSchema,
]);

/**
 * Zod schema of a simulator's own fault kind as posted over HTTP: the `kind` literal, the
 * kind's fields, and the fields every fault shares (`match`, `times`).
 *
 * @example faultKind("fail-next-job", { reason: z.string().min(1) })
 */
export function faultKind<K extends string, Shape extends z.ZodRawShape>(kind: K, shape: Shape) {
  return z.object({ kind: z.literal(kind), ...shape, ...faultCommonShape });
}

/**
 * Zod schema of everything `POST /__sandbox/faults` accepts on a simulator with its own
 * fault kind (built with {@link faultKind}): the transport faults plus that kind. Give
 * `Own` explicitly, so the compiler checks that the schema yields that fault type.
 *
 * @example faultSchemaWith<FailNextJobFault>(faultKind("fail-next-job", { reason: z.string() }))
 */
export function faultSchemaWith<Own extends { kind: string }>(
  own: z.ZodType<Own & FaultCommon> & z.core.$ZodTypeDiscriminable,
): z.ZodType<FaultSpec<Own>> {
  return z.discriminatedUnion("kind", [
    statusFaultSchema,
    delayFaultSchema,
    dropResponseFaultSchema,
    holdResponseFaultSchema,
    own,
  ]);
}
