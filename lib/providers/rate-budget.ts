import { AsyncLocalStorage } from "node:async_hooks";
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
   *   scope's `maxWaitMs`; nothing is used up then — or, inside {@link inTurn}, a
   *   {@link BudgetDeferral} holding the slot it reserved further ahead.
   */
  take(scope: RateScope): Promise<void>;
  /**
   * Reserves a slot without waiting for it — up to {@link DEFER_HORIZON_MS} ahead — and
   * says how long to wait before coming back for it (0: it is close enough to take now, in
   * {@link inTurn}). A start reserves first, so a start that must wait writes nothing else.
   *
   * @throws ProviderError THROTTLED past the horizon; nothing is used up then.
   */
  reserve(scope: RateScope): Promise<{ turn: Turn; retryAfterMs: number }>;
  /**
   * The vendor refused a request for rate (HTTP 429): the budget is halved for a while, for
   * every caller of the account.
   */
  shrink(scope: RateScope, retryAfterMs?: number): Promise<void>;
}

/**
 * A reserved slot, handed back with a {@link BudgetDeferral}: the budget item it counts in
 * (its key, never a credential: the account is a fingerprint) and the start of its window.
 */
export interface Turn {
  key: string;
  slotMs: number;
}

/**
 * How far ahead a caller that may be deferred ({@link inTurn}) reserves its slot. At 10
 * requests/s that is 9,000 starts on one account; past it, plain THROTTLED (the step's
 * retry waits).
 */
export const DEFER_HORIZON_MS = 15 * 60_000;

/**
 * A deferred caller is told to come back this long before its slot (at most four fifths of
 * the wait a request is allowed), and sleeps the rest inside its invocation: a Wait state,
 * the invocation and the step's reads before its request are late by a second or more
 * under load, and a caller that misses its slot's window loses it. Two seconds early lost
 * most turns of the 10,000-target bench at 5 requests/s (a fifth of the slots used).
 */
export const TURN_EARLY_MS = 4_000;

/**
 * THROTTLED by the fleet's budget itself: nothing was sent (the vendor did not refuse
 * anything). `retryAfterMs` is when the budget may have room.
 */
export class BudgetRefusal extends ProviderError {
  constructor(init: { provider: string; message: string; retryAfterMs: number }) {
    super({ cls: "THROTTLED", ...init });
  }
}

/**
 * THROTTLED, with a slot reserved for later: the caller (a backup's start) is to come back
 * at `turn.slotMs` and make its request then, in the slot it already holds, instead of
 * sleeping inside its invocation or retrying blind. Thrown only inside {@link inTurn}.
 */
export class BudgetDeferral extends BudgetRefusal {
  readonly turn: Turn;

  constructor(init: { provider: string; message: string; retryAfterMs: number; turn: Turn }) {
    const { turn, ...rest } = init;
    super(rest);
    this.turn = turn;
  }
}

/** What a deferrable call knows: the turn it came back with, until its first request uses it. */
interface TurnContext {
  turn: Turn | undefined;
}

const turns = new AsyncLocalStorage<TurnContext>();

/**
 * What became of the turns callers in this process came back with: kept (in time), late
 * (past their window: the slot went unused) and early, and how late the late ones were in
 * all. The fleet bench prints them; nothing else reads them.
 */
export const turnOutcomes = { kept: 0, late: 0, early: 0, lateMs: 0 };

/**
 * Runs `fn` (the vendor requests of one step) as a caller that may be **deferred**: a
 * request the budget cannot admit within `maxWaitMs` reserves a slot ahead anyway (up to
 * {@link DEFER_HORIZON_MS}) and fails with a {@link BudgetDeferral} naming it; the step
 * comes back then with that `turn`, and its first request of that budget uses the slot
 * (sleeping at most to its window) instead of taking another. Every slot reserved is used
 * by the start that reserved it, so a backlog goes out at the budget's full rate, in the
 * order it was reserved, and no invocation sleeps through the line.
 *
 * Per invocation, not per process: the local runtime serves many at once (AsyncLocalStorage,
 * Node's own carrier of per-call context through every await).
 */
export function inTurn<T>(turn: Turn | undefined, fn: () => Promise<T>): Promise<T> {
  return turns.run({ turn }, fn);
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
 * until its window opens — one conditional `UpdateItem` per request (or for all of a
 * process's callers waiting at once, as many as the window has room for), never a retry
 * loop against a full window (a thousand waiters each re-trying every second would be a
 * hot key on AWS and swamp any table):
 *
 * - *open*: the frontier is in the past (or absent): this window, at n — go now;
 * - *count*: `ADD admitted :n` if the frontier window has room for n — half the limit
 *   while a penalty runs, which the condition reads, so a 429 seen by one container slows
 *   all of them at their next request, with no extra read;
 * - *advance*: the frontier window is full: the next window, at n — if it opens within
 *   `maxWaitMs` (for a deferrable caller, {@link DEFER_HORIZON_MS}); past that,
 *   THROTTLED at once, with nothing used up.
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
  /** Callers of this process waiting for a reservation, per item. */
  readonly #lines = new Map<string, Waiter[]>();
  /** Items whose line is being served (one server per item and process). */
  readonly #serving = new Set<string>();

  constructor(options: TableRateBudgetOptions) {
    this.#db = options.db;
    this.#table = options.table;
    this.#clock = options.clock ?? realClock;
  }

  async take(scope: RateScope): Promise<void> {
    const k = key(scope);
    const context = turns.getStore();
    if (context?.turn?.key === k.pk) {
      // The slot this caller reserved when it was deferred: its own, whatever the item
      // says now — if it came in time. A turn whose window has passed counted and went
      // unused; the caller takes a slot anew.
      const { slotMs } = context.turn;
      context.turn = undefined;
      const { lengthMs } = rateWindow(scope.settings, slotMs);
      const now = this.#clock.now();
      if (slotMs > 0 && now < slotMs + lengthMs) {
        if (slotMs - now > scope.settings.maxWaitMs) {
          // Back too early (a clock far off): wait again for the same slot.
          turnOutcomes.early++;
          throw this.#deferral(scope, { key: k.pk, slotMs });
        }
        turnOutcomes.kept++;
        if (slotMs > now) await this.#clock.sleep(slotMs - now);
        return;
      }
      turnOutcomes.late++;
      turnOutcomes.lateMs += now - slotMs;
    }
    const defer = context !== undefined;
    for (;;) {
      const { slot, lengthMs } = await this.#inLine(k, scope, defer);
      const at = this.#clock.now();
      // Reserved beyond the wait allowed (a deferrable caller): come back for it.
      if (defer && slot - at > scope.settings.maxWaitMs)
        throw this.#deferral(scope, { key: k.pk, slotMs: slot });
      if (slot > at) await this.#clock.sleep(slot - at);
      // A slot is good only in its window: one that took past it to get (a slow write)
      // would reach the vendor in the next window uncounted, so it is dropped.
      if (this.#clock.now() < slot + lengthMs) return;
    }
  }

  async reserve(scope: RateScope): Promise<{ turn: Turn; retryAfterMs: number }> {
    const k = key(scope);
    const { slot } = await this.#inLine(k, scope, true);
    const turn = { key: k.pk, slotMs: slot };
    return { turn, retryAfterMs: this.#comeBackInMs(scope, turn) };
  }

  /** How long before coming back for `turn`: 0 when it is within the early margin now. */
  #comeBackInMs(scope: RateScope, turn: Turn): number {
    const early = Math.min(TURN_EARLY_MS, scope.settings.maxWaitMs * 0.8);
    return Math.max(0, Math.round(turn.slotMs - this.#clock.now() - early));
  }

  /**
   * THROTTLED, come back for the slot reserved at `turn.slotMs` — a little before it
   * ({@link TURN_EARLY_MS}, within the wait allowed, so the caller sleeps the rest).
   */
  #deferral(scope: RateScope, turn: Turn): BudgetDeferral {
    const retryAfterMs = this.#comeBackInMs(scope, turn);
    return new BudgetDeferral({
      provider: scope.vendor,
      retryAfterMs,
      turn,
      message: `${scope.vendor}: the fleet's rate budget is taken until ${new Date(turn.slotMs).toISOString()}; a slot is reserved then`,
    });
  }

  /**
   * Joins this process's line for the item and resolves with the caller's slot. One
   * caller at a time would race the others' conditional writes on one hot item (all but
   * one retrying: quadratic in the callers), and one write per caller in turn bounds the
   * process to one reservation per write's latency — locally, where one process serves
   * every invocation and a write under load takes a second, four starts a second. So the
   * line is served in batches: one write reserves a slot for every caller waiting, as many
   * as the window has room for (`ADD admitted :n`). On Lambda a container serves one
   * invocation, and its line holds one caller.
   */
  #inLine(k: RateKey, scope: RateScope, defer: boolean): Promise<Reservation> {
    return new Promise<Reservation>((resolve, reject) => {
      const line = this.#lines.get(k.pk) ?? [];
      line.push({ defer, queuedAt: this.#clock.now(), resolve, reject });
      this.#lines.set(k.pk, line);
      if (!this.#serving.has(k.pk)) void this.#serve(k, scope);
    });
  }

  async #serve(k: RateKey, scope: RateScope): Promise<void> {
    this.#serving.add(k.pk);
    try {
      for (;;) {
        const batch = this.#lines.get(k.pk) ?? [];
        this.#lines.delete(k.pk);
        if (batch.length === 0) return;
        // Waiting in line counts toward `maxWaitMs`: a caller whose turn comes too late is
        // THROTTLED without a write (its step retries later), not held until it times out.
        const now = this.#clock.now();
        const waiting: Waiter[] = [];
        for (const w of batch) {
          const queuedMs = now - w.queuedAt;
          if (w.defer || queuedMs <= scope.settings.maxWaitMs) waiting.push(w);
          else
            w.reject(
              new BudgetRefusal({
                provider: scope.vendor,
                retryAfterMs: queuedMs,
                message: `${scope.vendor}: ${queuedMs} ms in line for the fleet's rate budget, past the ${scope.settings.maxWaitMs} ms a request may wait`,
              }),
            );
        }
        await this.#reserveFor(k, scope, waiting).catch((error: unknown) => {
          for (const w of waiting) w.reject(error);
        });
      }
    } finally {
      this.#serving.delete(k.pk);
    }
  }

  /**
   * Slots for `waiting`, in order, a write per window: the frontier window while it has
   * room, then the next ones — up to `maxWaitMs` ahead for a caller who must go soon (past
   * it, THROTTLED at once with nothing used up), {@link DEFER_HORIZON_MS} for one that may
   * be deferred. Settles every waiter (a waiter settled twice keeps its first answer).
   */
  async #reserveFor(k: RateKey, scope: RateScope, waiting: Waiter[]): Promise<void> {
    let left = waiting;
    for (let attempt = 0; left.length > 0; ) {
      const now = this.#clock.now();
      const window = rateWindow(scope.settings, now);
      const seen = this.#seen.get(k.pk);
      const penalty = (seen?.penaltyUntilMs ?? 0) > now;
      const cap = penalty ? window.reduced : window.limit;
      let start: number;
      let room: number;
      let write: (n: number) => Promise<number | undefined>;
      if (!seen || seen.startMs < window.startMs) {
        start = window.startMs;
        room = cap;
        write = (n) => this.#open(k, window, n, now);
      } else if (seen.count < cap) {
        start = seen.startMs;
        room = cap - seen.count;
        write = (n) => this.#count(k, seen.startMs, window, now, n);
      } else {
        start = seen.startMs + window.lengthMs;
        room = cap;
        write = (n) => this.#advance(k, seen.startMs, start, window, now, n);
      }
      const waitMs = start - now;
      // Past a waiter's horizon now, past it for every later window too.
      left = left.filter((w) => {
        const horizon = w.defer ? DEFER_HORIZON_MS : scope.settings.maxWaitMs;
        if (waitMs <= horizon) return true;
        w.reject(
          new BudgetRefusal({
            provider: scope.vendor,
            retryAfterMs: waitMs,
            message: `${scope.vendor}: the fleet's rate budget of ${window.limit} requests per window is taken for the next ${waitMs} ms`,
          }),
        );
        return false;
      });
      if (left.length === 0) return;
      const n = Math.min(room, left.length);
      const slot = await write(n);
      if (slot === undefined) {
        // Another container moved the item: look, and try the write that fits now.
        if (++attempt > 50) throw new Error("the rate budget item kept changing under us");
        await this.#refresh(k);
        continue;
      }
      for (const w of left.slice(0, n)) w.resolve({ slot, lengthMs: window.lengthMs });
      left = left.slice(n);
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
    // This process knows at once; the others learn it from the condition.
    this.#seen.delete(key(scope).pk);
  }

  /** The frontier is in the past (or absent): this window, at `n`. */
  #open(
    k: RateKey,
    window: ReturnType<typeof rateWindow>,
    n: number,
    now: number,
  ): Promise<number | undefined> {
    return this.#write(k, window.startMs, {
      UpdateExpression: "SET windowStartMs = :start, admitted = :n, entity = :entity, #ttl = :ttl",
      ConditionExpression: `(attribute_not_exists(windowStartMs) OR windowStartMs < :start)${unpenalized(n, window)}`,
      ExpressionAttributeNames: { "#ttl": "ttl" },
      ExpressionAttributeValues: {
        ":start": window.startMs,
        ":n": n,
        ":entity": RATE_BUDGET_ENTITY,
        ":ttl": Math.ceil((window.startMs + window.lengthMs) / 1000) + IDLE_TTL_SECONDS,
        ...(n > window.reduced ? { ":now": now } : {}),
      },
    });
  }

  /** `n` more slots in the frontier window (now or ahead), if it has room for them. */
  #count(
    k: RateKey,
    frontier: number,
    window: ReturnType<typeof rateWindow>,
    now: number,
    n: number,
  ): Promise<number | undefined> {
    return this.#write(k, frontier, {
      UpdateExpression: "ADD admitted :n",
      // Room for n: at most limit − n given — half the limit while a penalty runs.
      ConditionExpression:
        "windowStartMs = :start AND (admitted <= :reducedMax OR (admitted <= :limitMax AND (attribute_not_exists(penaltyUntilMs) OR penaltyUntilMs <= :now)))",
      ExpressionAttributeValues: {
        ":n": n,
        ":start": frontier,
        ":limitMax": window.limit - n,
        ":reducedMax": window.reduced - n,
        ":now": now,
      },
    });
  }

  /** The frontier window is full: the next one, at `n`. */
  #advance(
    k: RateKey,
    frontier: number,
    next: number,
    window: ReturnType<typeof rateWindow>,
    now: number,
    n: number,
  ): Promise<number | undefined> {
    return this.#write(k, next, {
      UpdateExpression: "SET windowStartMs = :next, admitted = :n, #ttl = :ttl",
      ConditionExpression: `windowStartMs = :start${unpenalized(n, window)}`,
      ExpressionAttributeNames: { "#ttl": "ttl" },
      ExpressionAttributeValues: {
        ":start": frontier,
        ":next": next,
        ":n": n,
        ":ttl": Math.ceil((next + window.lengthMs) / 1000) + IDLE_TTL_SECONDS,
        ...(n > window.reduced ? { ":now": now } : {}),
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

/** A slot: the start of its window, and the window's length. */
interface Reservation {
  slot: number;
  lengthMs: number;
}

/** A caller in a process's line for an item. */
interface Waiter {
  /** May be deferred ({@link inTurn}): reserves up to {@link DEFER_HORIZON_MS} ahead. */
  defer: boolean;
  queuedAt: number;
  resolve(reservation: Reservation): void;
  reject(error: unknown): void;
}

/**
 * More slots than half the limit in one write must not be given while a penalty another
 * container set runs (its condition, which `:now` completes).
 */
function unpenalized(n: number, window: ReturnType<typeof rateWindow>): string {
  return n > window.reduced
    ? " AND (attribute_not_exists(penaltyUntilMs) OR penaltyUntilMs <= :now)"
    : "";
}

function key(scope: RateScope): RateKey {
  return Keys.rateBudget(scope.vendor, scope.host, scope.account);
}
