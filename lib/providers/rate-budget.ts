import { ProviderError } from "../core/provider-error.ts";
import type { RateLimitSettings } from "../core/vendors.ts";
import type { TableClient } from "../store/client.ts";
import { Keys, RATE_BUDGET_ENTITY } from "../store/keys.ts";
import { conditionHeld, isConditionFailure } from "../store/page.ts";
import type { RateLimitClock } from "./rate-limit.ts";

/** Whose requests one budget counts: one vendor account on one host, and its limit. */
export interface RateScope {
  vendor: string;
  host: string;
  /** From `credentialFingerprint` (lib/providers/rate-limit.ts): never the key itself. */
  account: string;
  settings: RateLimitSettings;
}

/**
 * The port of a request budget shared by everyone who calls a vendor account: every Lambda
 * container of the fleet, not one process.
 */
export interface RateBudget {
  /**
   * Waits for a slot.
   *
   * @throws ProviderError THROTTLED (with `retryAfterMs`) when the wait would exceed the
   *   scope's `maxWaitMs`; nothing is used up then.
   */
  take(scope: RateScope): Promise<void>;
  /**
   * The vendor refused a request for rate (HTTP 429): the budget is halved for a while, for
   * every caller of the account.
   */
  shrink(scope: RateScope, retryAfterMs?: number): Promise<void>;
}

/** A 429 halves the budget for at least this long (longer when `Retry-After` says so). */
export const PENALTY_MIN_MS = 60_000;
/** …and at most this long: a hostile or broken `Retry-After` cannot slow an account for days. */
export const PENALTY_MAX_MS = 15 * 60_000;
/** An account nobody called for a day loses its item (TTL); the next call opens a new one. */
const IDLE_TTL_SECONDS = 86_400;

/**
 * The window a limit counts in and what it admits: one wall-clock second and
 * `floor(requestsPerSecond)` requests; below 1 request/s, one request per `1/rps` seconds.
 * Under a penalty, half as many (at least 1).
 */
export function rateWindow(settings: RateLimitSettings, nowMs: number) {
  const perSecond = settings.requestsPerSecond;
  const lengthMs = perSecond >= 1 ? 1000 : Math.ceil(1000 / perSecond);
  const limit = perSecond >= 1 ? Math.floor(perSecond) : 1;
  return {
    startMs: Math.floor(nowMs / lengthMs) * lengthMs,
    lengthMs,
    limit,
    reduced: Math.max(1, Math.floor(limit / 2)),
  };
}

/** Options of {@link TableRateBudget}. */
export interface TableRateBudgetOptions {
  db: TableClient;
  table: string;
  /** Default: the wall clock (windows must be the vendor's seconds, never a test's clock). */
  clock?: RateLimitClock;
  /** Spread of the wake-up after a full window, so sleepers do not all retry at once; default 50 ms. */
  jitterMs?: number;
  /** Default `Math.random`. */
  random?: () => number;
}

const realClock: RateLimitClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * A {@link RateBudget} kept in the catalogue table, so every container counts against one
 * number. One item per scope (`RATE#vendor|host|account`) holds the current window's start
 * and how many requests it admitted, and the end of a penalty, if any. A slot is one
 * conditional `UpdateItem`:
 *
 * - *count*: `ADD admitted 1` if the item is in this window and below its limit — half
 *   the limit while a penalty runs, which the condition reads, so a 429 seen by one
 *   container slows all of them at their next request, with no read and no cache;
 * - *open*: start this window at 1 if the item is in an older one (or absent).
 *
 * The process tries first the one its last success suggests; when both conditions fail the
 * window is full (or another container's clock is already in the next one), and the caller
 * sleeps to the next window. Fixed windows on wall-clock seconds are what Zilliz counts in;
 * the vendor defaults keep a margin below documented limits for skew between clocks.
 *
 * @example
 * const budget = new TableRateBudget({ db, table });
 * await budget.take({ vendor: "zilliz", host, account, settings }); // or THROTTLED past maxWaitMs
 */
export class TableRateBudget implements RateBudget {
  readonly #db: TableClient;
  readonly #table: string;
  readonly #clock: RateLimitClock;
  readonly #jitterMs: number;
  readonly #random: () => number;
  /** The window this process last got a slot in, per item: which write to try first. */
  readonly #seen = new Map<string, number>();

  constructor(options: TableRateBudgetOptions) {
    this.#db = options.db;
    this.#table = options.table;
    this.#clock = options.clock ?? realClock;
    this.#jitterMs = options.jitterMs ?? 50;
    this.#random = options.random ?? Math.random;
  }

  async take(scope: RateScope): Promise<void> {
    const started = this.#clock.now();
    for (;;) {
      const now = this.#clock.now();
      const window = rateWindow(scope.settings, now);
      const end = window.startMs + window.lengthMs;
      if (await this.#admit(scope, window, now)) {
        // A slot is good only in its window: one that took past it to get (a slow write)
        // would reach the vendor in its next second uncounted, so it is dropped.
        if (this.#clock.now() < end) return;
      }
      const at = this.#clock.now();
      const waitMs = Math.max(0, end - at) + Math.floor(this.#random() * this.#jitterMs);
      if (at - started + waitMs > scope.settings.maxWaitMs) {
        throw new ProviderError({
          cls: "THROTTLED",
          provider: scope.vendor,
          retryAfterMs: waitMs,
          message: `${scope.vendor}: the fleet's rate budget of ${window.limit} requests per window is used up; the next window opens in ${waitMs} ms`,
        });
      }
      if (waitMs > 0) await this.#clock.sleep(waitMs);
    }
  }

  async shrink(scope: RateScope, retryAfterMs?: number): Promise<void> {
    const now = this.#clock.now();
    const penaltyMs = Math.min(PENALTY_MAX_MS, Math.max(retryAfterMs ?? 0, PENALTY_MIN_MS));
    const until = now + penaltyMs;
    try {
      await this.#db.update({
        TableName: this.#table,
        Key: key(scope),
        UpdateExpression: "SET penaltyUntilMs = :until, entity = :entity, #ttl = :ttl",
        // Never shortens a penalty another container set.
        ConditionExpression: "attribute_not_exists(penaltyUntilMs) OR penaltyUntilMs < :until",
        ExpressionAttributeNames: { "#ttl": "ttl" },
        ExpressionAttributeValues: {
          ":until": until,
          ":entity": RATE_BUDGET_ENTITY,
          ":ttl": Math.ceil(until / 1000) + IDLE_TTL_SECONDS,
        },
      });
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async #admit(
    scope: RateScope,
    window: ReturnType<typeof rateWindow>,
    now: number,
  ): Promise<boolean> {
    const k = key(scope);
    const id = k.pk;
    const writes =
      this.#seen.get(id) === window.startMs
        ? [() => this.#count(k, window, now), () => this.#open(k, window)]
        : [() => this.#open(k, window), () => this.#count(k, window, now)];
    for (const write of writes) {
      if (await write()) {
        if (this.#seen.size >= 1_000 && !this.#seen.has(id)) this.#seen.clear();
        this.#seen.set(id, window.startMs);
        return true;
      }
    }
    return false;
  }

  /** One more request in the current window, if it has room. */
  #count(k: RateKey, window: ReturnType<typeof rateWindow>, now: number): Promise<boolean> {
    return this.#conditional({
      UpdateExpression: "ADD admitted :one",
      ConditionExpression:
        "windowStartMs = :start AND (admitted < :reduced OR (admitted < :limit AND (attribute_not_exists(penaltyUntilMs) OR penaltyUntilMs <= :now)))",
      ExpressionAttributeValues: {
        ":one": 1,
        ":start": window.startMs,
        ":limit": window.limit,
        ":reduced": window.reduced,
        ":now": now,
      },
      Key: k,
    });
  }

  /** The first request of a new window (the item's penalty, if any, stays). */
  #open(k: RateKey, window: ReturnType<typeof rateWindow>): Promise<boolean> {
    return this.#conditional({
      UpdateExpression:
        "SET windowStartMs = :start, admitted = :one, entity = :entity, #ttl = :ttl",
      ConditionExpression: "attribute_not_exists(windowStartMs) OR windowStartMs < :start",
      ExpressionAttributeNames: { "#ttl": "ttl" },
      ExpressionAttributeValues: {
        ":start": window.startMs,
        ":one": 1,
        ":entity": RATE_BUDGET_ENTITY,
        ":ttl": Math.ceil((window.startMs + window.lengthMs) / 1000) + IDLE_TTL_SECONDS,
      },
      Key: k,
    });
  }

  #conditional(input: Omit<Parameters<TableClient["update"]>[0], "TableName">) {
    return conditionHeld(() => this.#db.update({ TableName: this.#table, ...input }));
  }
}

type RateKey = ReturnType<typeof Keys.rateBudget>;

function key(scope: RateScope): RateKey {
  return Keys.rateBudget(scope.vendor, scope.host, scope.account);
}
