import * as z from "zod";
import {
  checkMatch,
  FAULT_STATUSES,
  type FaultMatch,
  type FaultTarget,
  type HttpFault,
  matches,
  matchSchema,
} from "./fault-queue.ts";

/** The transport fault kinds chaos draws from. */
export const CHAOS_KINDS = ["status", "delay", "drop-response", "hold-response"] as const;
/** One of {@link CHAOS_KINDS}. */
export type ChaosKind = (typeof CHAOS_KINDS)[number];

/** Statuses a chaos `status` fault picks from when `statuses` is omitted. */
export const DEFAULT_CHAOS_STATUSES = [429, 500, 503] as const;
/** `delayMs` of chaos `delay` and `hold-response` faults when omitted. */
export const DEFAULT_CHAOS_DELAY_MS = 1_000;

/** How a simulator injects seeded random transport faults (see {@link Chaos}). */
export interface ChaosConfig {
  /** PRNG seed (a 32-bit integer): the same seed and request sequence give the same faults. */
  seed: number;
  /** Probability, 0–1, that one (matching) vendor request gets a fault. */
  rate: number;
  /** The kinds a fault is drawn from, uniformly (list a kind twice to weight it). */
  kinds: ChaosKind[];
  /** Wall-clock ms of `delay` and `hold-response` faults; default {@link DEFAULT_CHAOS_DELAY_MS}. */
  delayMs?: number;
  /** Statuses of `status` faults, drawn uniformly; default {@link DEFAULT_CHAOS_STATUSES}. */
  statuses?: Array<(typeof FAULT_STATUSES)[number]>;
  /** Only matching requests are considered (and counted as seen); default all. */
  match?: FaultMatch;
}

/** What chaos did since it was last {@link Chaos.set set}. */
export interface ChaosCounts {
  /** Vendor requests chaos considered (those its `match` selects). */
  seen: number;
  /** Faults injected, all kinds together. */
  injected: number;
  /** Faults injected per kind. */
  byKind: Record<ChaosKind, number>;
}

/** Zod schema of the `PUT /__sandbox/chaos` body (a `match.path` is a path pattern). */
export const chaosConfigSchema: z.ZodType<ChaosConfig> = z.object({
  seed: z.number().int(),
  rate: z.number().min(0).max(1),
  kinds: z.array(z.enum(CHAOS_KINDS)).min(1),
  delayMs: z.number().int().nonnegative().optional(),
  statuses: z.array(z.literal(FAULT_STATUSES)).min(1).optional(),
  match: matchSchema.optional(),
});

/**
 * mulberry32: a tiny, fast 32-bit PRNG (Tommy Ettinger's public-domain generator). Not
 * cryptographic — it only has to give the same sequence for the same seed on every run.
 *
 * @returns a function yielding floats in [0, 1)
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function zeroCounts(): ChaosCounts {
  return {
    seen: 0,
    injected: 0,
    byKind: { status: 0, delay: 0, "drop-response": 0, "hold-response": 0 },
  };
}

/**
 * Seeded probabilistic transport faults for one simulator. Each vendor request that the
 * config's `match` selects draws three numbers from the seeded PRNG (whether, which kind,
 * which status) — always three, so request N's decision depends only on the seed and N.
 * Queued faults win: a request some queued transport fault matches still draws (it is
 * seen) but gets no chaos fault.
 *
 * @example
 * ```ts
 * sim.chaos.set({ seed: 42, rate: 0.3, kinds: ["status", "drop-response"] });
 * // … run the scenario …
 * expect(sim.chaos.counts.byKind["drop-response"]).toBeGreaterThan(0);
 * sim.chaos.set(undefined); // stop
 * ```
 */
export class Chaos {
  #config: ChaosConfig | undefined;
  #random: () => number = () => 0;
  #counts: ChaosCounts = zeroCounts();

  /** Starts chaos with `config` (restarting the PRNG and the counts), or stops it. */
  set(config: ChaosConfig | undefined): void {
    if (config !== undefined) {
      if (!(config.rate >= 0 && config.rate <= 1)) {
        throw new RangeError(`chaos.rate must be between 0 and 1, got ${config.rate}`);
      }
      if (config.kinds.length === 0) throw new RangeError("chaos.kinds must not be empty");
      checkMatch(config.match, "chaos");
      this.#random = mulberry32(config.seed);
      this.#counts = zeroCounts();
    }
    this.#config = config;
  }

  /** The active config, or `undefined` when chaos is off. */
  get config(): ChaosConfig | undefined {
    return this.#config;
  }

  /** A copy of the counts since the last `set` with a config (kept after chaos stops). */
  get counts(): ChaosCounts {
    return { ...this.#counts, byKind: { ...this.#counts.byKind } };
  }

  /**
   * Decides the chaos fault of one vendor request (used by the HTTP layer, once per
   * request, in arrival order).
   *
   * @param preempted - a queued transport fault matches the request, so chaos stays out
   * @returns the fault to inject, or `undefined`
   */
  draw(target: FaultTarget, preempted: boolean): HttpFault | undefined {
    const config = this.#config;
    if (config === undefined || !matches(config.match, target)) return undefined;
    this.#counts.seen += 1;
    const [hit, which, pick] = [this.#random(), this.#random(), this.#random()];
    if (preempted || hit >= config.rate) return undefined;
    const kind = config.kinds[Math.floor(which * config.kinds.length)]!;
    this.#counts.injected += 1;
    this.#counts.byKind[kind] += 1;
    const delayMs = config.delayMs ?? DEFAULT_CHAOS_DELAY_MS;
    switch (kind) {
      case "status": {
        const statuses = config.statuses ?? DEFAULT_CHAOS_STATUSES;
        const status = statuses[Math.floor(pick * statuses.length)]!;
        return status === 429 ? { kind, status, retryAfterSeconds: 1 } : { kind, status };
      }
      case "delay":
      case "hold-response":
        return { kind, delayMs };
      case "drop-response":
        return { kind };
    }
  }

  /** JSON view for `GET /__sandbox/state` and the chaos admin routes. */
  describe(): { config: unknown; counts: ChaosCounts } {
    return { config: this.#config ?? null, counts: this.counts };
  }
}
