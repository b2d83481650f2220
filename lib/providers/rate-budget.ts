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
}

const realClock: RateLimitClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** What this process last saw of an item: the window reservations have reached, and its count. */
interface Frontier {
  startMs: number;
  count: number;
  penaltyUntilMs: number;
}

/**
 * A {@link RateBudget} kept in the catalogue table, so every container counts against one
 * number. One item per scope (`RATE#vendor|host|account`) holds the *frontier*: the latest
 * window anyone holds a slot in (`windowStartMs`) and how many slots it has given
 * (`admitted`), and the end of a penalty, if any. A caller **reserves** a slot and sleeps
 * until its window opens — one conditional `UpdateItem` per request, never a retry loop
 * against a full window (a thousand waiters each re-trying every second would be a hot
 * key on AWS and swamp any table):
 *
 * - *open*: the frontier is in the past (or absent): this window, at 1 — go now;
 * - *count*: `ADD admitted 1` if the frontier window has room — half the limit while a
 *   penalty runs, which the condition reads, so a 429 seen by one container slows all of
 *   them at their next request, with no extra read;
 * - *advance*: the frontier window is full: the next window, at 1 — if it opens within
 *   `maxWaitMs`; past that, THROTTLED at once, with nothing used up.
 *
 * The process tries the write its last view of the item (from the write's `ALL_NEW`)
 * suggests; a condition that fails means another container moved the item, and one
 * consistent read refreshes the view. Fixed windows on wall-clock seconds are what Zilliz
 * counts in; the vendor defaults keep a margin below documented limits for skew.
 *
 * @example
 * const budget = new TableRateBudget({ db, table });
 * await budget.take({ vendor: "zilliz", host, account, settings }); // or THROTTLED past maxWaitMs
 */
export class TableRateBudget implements RateBudget {
  readonly #db: TableClient;
  readonly #table: string;
  readonly #clock: RateLimitClock;
  /** This process's last view of each item. */
  readonly #seen = new Map<string, Frontier>();
  /** The reservation under way per item, in this process. */
  readonly #locks = new Map<string, Promise<unknown>>();
  /** Callers waiting in this process's line per item, and how long a reservation takes. */
  readonly #inLine = new Map<string, number>();
  readonly #reserveMs = new Map<string, number>();

  constructor(options: TableRateBudgetOptions) {
    this.#db = options.db;
    this.#table = options.table;
    this.#clock = options.clock ?? realClock;
  }

  async take(scope: RateScope): Promise<void> {
    const k = key(scope);
    const queuedAt = this.#clock.now();
    // A line already longer than the wait allowed refuses at once: waiting in it only to be
    // refused would hold an invocation (and, locally, one of the runtime's task slots) for
    // nothing. One process runs one invocation at a time on Lambda, so this is the local
    // runtime's case, and a container's serving many callers.
    const ahead = this.#inLine.get(k.pk) ?? 0;
    const expectedMs = Math.round(ahead * (this.#reserveMs.get(k.pk) ?? 0));
    if (expectedMs > scope.settings.maxWaitMs)
      throw new ProviderError({
        cls: "THROTTLED",
        provider: scope.vendor,
        retryAfterMs: expectedMs,
        message: `${scope.vendor}: ${ahead} requests ahead in line for the fleet's rate budget (about ${expectedMs} ms), past the ${scope.settings.maxWaitMs} ms a request may wait`,
      });
    for (;;) {
      // One reservation at a time per item in this process: concurrent callers of one
      // container would otherwise all race the same conditional write, and all but one
      // retry — quadratic in the callers, on one hot item. Waiting in that line counts
      // toward `maxWaitMs` too: a caller whose turn comes too late is THROTTLED without a
      // write (its step retries later), rather than held until its invocation times out.
      this.#inLine.set(k.pk, (this.#inLine.get(k.pk) ?? 0) + 1);
      let left = false;
      const leave = () => {
        if (left) return;
        left = true;
        const n = (this.#inLine.get(k.pk) ?? 1) - 1;
        if (n > 0) this.#inLine.set(k.pk, n);
        else this.#inLine.delete(k.pk);
      };
      const { slot, lengthMs } = await this.#serial(k.pk, async () => {
        leave();
        const queuedMs = this.#clock.now() - queuedAt;
        if (queuedMs > scope.settings.maxWaitMs)
          throw new ProviderError({
            cls: "THROTTLED",
            provider: scope.vendor,
            retryAfterMs: queuedMs,
            message: `${scope.vendor}: ${queuedMs} ms in line for the fleet's rate budget, past the ${scope.settings.maxWaitMs} ms a request may wait`,
          });
        const began = this.#clock.now();
        const reserved = await this.#reserve(k, scope);
        // A moving average of how long a turn takes, for the line's estimate above.
        const took = this.#clock.now() - began;
        const before = this.#reserveMs.get(k.pk);
        this.#reserveMs.set(k.pk, before === undefined ? took : 0.8 * before + 0.2 * took);
        return reserved;
      }).finally(leave);
      const at = this.#clock.now();
      if (slot > at) await this.#clock.sleep(slot - at);
      // A slot is good only in its window: one that took past it to get (a slow write)
      // would reach the vendor in the next window uncounted, so it is dropped.
      if (this.#clock.now() < slot + lengthMs) return;
    }
  }

  /** A slot: the start of the window it is in (now, or ahead). */
  async #reserve(k: RateKey, scope: RateScope): Promise<{ slot: number; lengthMs: number }> {
    for (let attempt = 0; ; attempt++) {
      const now = this.#clock.now();
      const window = rateWindow(scope.settings, now);
      const seen = this.#seen.get(k.pk);
      let slot: number | undefined;
      if (!seen || seen.startMs < window.startMs) {
        slot = await this.#open(k, window);
      } else if (seen.count < (seen.penaltyUntilMs > now ? window.reduced : window.limit)) {
        slot = await this.#count(k, seen.startMs, window, now);
      } else {
        const next = seen.startMs + window.lengthMs;
        const waitMs = next - now;
        if (waitMs > scope.settings.maxWaitMs) {
          throw new ProviderError({
            cls: "THROTTLED",
            provider: scope.vendor,
            retryAfterMs: waitMs,
            message: `${scope.vendor}: the fleet's rate budget of ${window.limit} requests per window is taken for the next ${waitMs} ms`,
          });
        }
        slot = await this.#advance(k, seen.startMs, next, window);
      }
      if (slot !== undefined) return { slot, lengthMs: window.lengthMs };
      // Another container moved the item: look, and try the write that fits now.
      if (attempt > 50) throw new Error("the rate budget item kept changing under us");
      await this.#refresh(k);
    }
  }

  /** Runs `fn` after every earlier call for `id` in this process has settled. */
  #serial<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(id) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.#locks.set(id, tail);
    void tail.then(() => {
      if (this.#locks.get(id) === tail) this.#locks.delete(id);
    });
    return run;
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
    // This process knows at once; the others learn it from the condition.
    this.#seen.delete(key(scope).pk);
  }

  /** The frontier is in the past (or absent): this window, at 1. */
  #open(k: RateKey, window: ReturnType<typeof rateWindow>): Promise<number | undefined> {
    return this.#write(k, window.startMs, {
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
    });
  }

  /** One more slot in the frontier window (now or ahead), if it has room. */
  #count(
    k: RateKey,
    frontier: number,
    window: ReturnType<typeof rateWindow>,
    now: number,
  ): Promise<number | undefined> {
    return this.#write(k, frontier, {
      UpdateExpression: "ADD admitted :one",
      ConditionExpression:
        "windowStartMs = :start AND (admitted < :reduced OR (admitted < :limit AND (attribute_not_exists(penaltyUntilMs) OR penaltyUntilMs <= :now)))",
      ExpressionAttributeValues: {
        ":one": 1,
        ":start": frontier,
        ":limit": window.limit,
        ":reduced": window.reduced,
        ":now": now,
      },
    });
  }

  /** The frontier window is full: the next one, at 1. */
  #advance(
    k: RateKey,
    frontier: number,
    next: number,
    window: ReturnType<typeof rateWindow>,
  ): Promise<number | undefined> {
    return this.#write(k, next, {
      UpdateExpression: "SET windowStartMs = :next, admitted = :one, #ttl = :ttl",
      ConditionExpression: "windowStartMs = :start",
      ExpressionAttributeNames: { "#ttl": "ttl" },
      ExpressionAttributeValues: {
        ":start": frontier,
        ":next": next,
        ":one": 1,
        ":ttl": Math.ceil((next + window.lengthMs) / 1000) + IDLE_TTL_SECONDS,
      },
    });
  }

  /** The write; the slot's window start when it held (and the new view kept), else undefined. */
  async #write(
    k: RateKey,
    slotStartMs: number,
    input: Omit<Parameters<TableClient["update"]>[0], "TableName" | "Key">,
  ): Promise<number | undefined> {
    let item: Record<string, unknown> | undefined;
    const held = await conditionHeld(async () => {
      const result = await this.#db.update({
        TableName: this.#table,
        Key: k,
        ReturnValues: "ALL_NEW",
        ...input,
      });
      item = result.Attributes;
    });
    if (!held) return undefined;
    this.#remember(k, item);
    return slotStartMs;
  }

  /**
   * The item as it is now. An unconditional no-op update answering `ALL_NEW`, not a read:
   * a vendor caller is granted `UpdateItem` on the table for its budget, and nothing more.
   */
  async #refresh(k: RateKey): Promise<void> {
    const result = await this.#db.update({
      TableName: this.#table,
      Key: k,
      UpdateExpression: "SET entity = :entity",
      ExpressionAttributeValues: { ":entity": RATE_BUDGET_ENTITY },
      ReturnValues: "ALL_NEW",
    });
    if (typeof result.Attributes?.windowStartMs === "number") this.#remember(k, result.Attributes);
    else this.#seen.delete(k.pk);
  }

  #remember(k: RateKey, item: Record<string, unknown> | undefined): void {
    if (typeof item?.windowStartMs !== "number" || typeof item.admitted !== "number") return;
    if (this.#seen.size >= 1_000 && !this.#seen.has(k.pk)) this.#seen.clear();
    const penaltyUntilMs = typeof item.penaltyUntilMs === "number" ? item.penaltyUntilMs : 0;
    this.#seen.set(k.pk, { startMs: item.windowStartMs, count: item.admitted, penaltyUntilMs });
  }
}

type RateKey = ReturnType<typeof Keys.rateBudget>;

function key(scope: RateScope): RateKey {
  return Keys.rateBudget(scope.vendor, scope.host, scope.account);
}
