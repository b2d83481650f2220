import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ProviderError } from "../../lib/core/provider-error.ts";
import {
  BudgetDeferral,
  inTurn,
  PENALTY_MIN_MS,
  type RateScope,
  TableRateBudget,
} from "../../lib/providers/rate-budget.ts";
import type { RateLimitClock } from "../../lib/providers/rate-limit.ts";
import { EXPIRY_STREAM_FILTER, ExpiryRepository } from "../../lib/store/expiry.ts";
import { Keys } from "../../lib/store/keys.ts";
import { OUTBOX_STREAM_FILTER, OutboxRepository } from "../../lib/store/outbox.ts";
import { TTL_PRINCIPAL } from "../../lib/store/table.ts";
import { expiredMarkerOf } from "../../lib/usecases/ttl-stream.ts";
import { streamRecord } from "../../local/stream.ts";
import { steppedClock } from "../support/clocks.ts";
import { dynaliteTable, type TestTable } from "../support/dynamo-engines.ts";
import { rejectionOf } from "../support/rejections.ts";

/** A second boundary, so a test knows where its windows start. */
const T0 = Date.parse("2026-11-01T00:00:00.000Z");

/** Time that moves by what a caller sleeps (and by hand); sleeps are recorded. */
function sleepingClock(
  start: number,
): RateLimitClock & { advance(ms: number): void; sleeps: number[] } {
  let now = start;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    advance: (ms) => {
      now += ms;
    },
    sleeps,
  };
}

let t: TestTable;
let scopes = 0;

/** A scope of its own per test: they share one table, never one budget. */
function scope(requestsPerSecond: number, maxWaitMs = 10_000): RateScope {
  scopes++;
  return {
    vendor: "zilliz",
    host: "api.cloud.zilliz.com",
    account: `acct${scopes}`,
    settings: { requestsPerSecond, burst: requestsPerSecond, maxWaitMs },
  };
}

/** The suite's table, each of whose updates takes `ms` on `clock`; `writes` counts them. */
function slowWrites(clock: { advance(ms: number): void }, ms: number) {
  const counted = { writes: 0, db: t.db };
  counted.db = new Proxy(t.db, {
    get(target, prop) {
      if (prop !== "update") return Reflect.get(target, prop);
      return async (input: Parameters<typeof target.update>[0]) => {
        counted.writes++;
        const result = await target.update(input);
        clock.advance(ms);
        return result;
      };
    },
  });
  return counted;
}

/**
 * Starts every take at once on a stepped clock and, each time every caller is admitted or
 * asleep, opens the next second (at most `maxSeconds`): how many were admitted in each.
 */
async function admittedPerSecond(
  clock: ReturnType<typeof steppedClock>,
  takes: ReadonlyArray<() => Promise<void>>,
  maxSeconds: number,
): Promise<number[]> {
  const admittedAt: number[] = [];
  const callers = takes.map((take) => take().then(() => admittedAt.push(clock.now())));
  for (let second = 1; admittedAt.length < takes.length; second++) {
    await vi.waitFor(() => expect(admittedAt.length + clock.sleeping()).toBe(takes.length), {
      timeout: 10_000,
    });
    if (admittedAt.length === takes.length) break;
    clock.advanceTo(T0 + second * 1000);
    expect(second).toBeLessThan(maxSeconds);
  }
  await Promise.all(callers);
  const perSecond = Object.groupBy(admittedAt, (at) => String(Math.floor(at / 1000)));
  return Object.values(perSecond).map((v) => v?.length ?? 0);
}

const budget = (clock: RateLimitClock) => new TableRateBudget({ db: t.db, table: t.table, clock });

/** Takes until the window refuses (maxWaitMs 0 makes a full window throw at once). */
async function admittedNow(b: TableRateBudget, s: RateScope): Promise<number> {
  const now = { ...s, settings: { ...s.settings, maxWaitMs: 0 } };
  for (let n = 0; n < 100; n++) {
    try {
      await b.take(now);
    } catch (error) {
      if (error instanceof ProviderError && error.cls === "THROTTLED") return n;
      throw error;
    }
  }
  return 100;
}

beforeAll(async () => {
  t = await dynaliteTable();
});
afterAll(async () => {
  await t?.close();
});

describe("TableRateBudget", () => {
  it("never admits more than the limit in one wall-clock second across two containers", async () => {
    // Prepare: two containers (budgets) on one table, 40 concurrent callers, 5 a second.
    const clock = steppedClock(T0 + 300);
    const [a, b] = [budget(clock), budget(clock)];
    const s = scope(5);
    const takes = Array.from({ length: 40 }, (_, i) => () => (i % 2 ? a : b).take(s));

    // Act and assess: 5 in each second, none over — the budget was used, never exceeded.
    expect(await admittedPerSecond(clock, takes, 20)).toEqual(Array(8).fill(5));
  });

  it("reserves a slot with one write per request: waiters sleep to their window, they never poll the item", async () => {
    const clock = sleepingClock(T0);
    let writes = 0;
    const counting = {
      ...t.db,
      update: (input: Parameters<typeof t.db.update>[0]) => {
        writes++;
        return t.db.update(input);
      },
    };
    const b = new TableRateBudget({ db: counting, table: t.table, clock });
    const s = scope(5);
    for (let i = 0; i < 30; i++) await b.take(s);
    // Six windows of five, each caller asleep until its own: 30 writes, no retries.
    expect(writes).toBe(30);
    expect(clock.now()).toBe(T0 + 5_000);
  });

  it("halves the limit for every container once one saw a 429, and recovers after the penalty", async () => {
    const clock = sleepingClock(T0);
    const [a, b] = [budget(clock), budget(clock)];
    const s = scope(6);
    expect(await admittedNow(b, s)).toBe(6);

    clock.advance(1000);
    await a.shrink(s, 2_000); // Retry-After 2 s: the penalty lasts the minimum, 60 s
    expect(await admittedNow(b, s)).toBe(3);
    clock.advance(PENALTY_MIN_MS - 1000);
    expect(await admittedNow(a, s)).toBe(3);

    clock.advance(1000);
    expect(await admittedNow(b, s)).toBe(6);
  });

  it("never shortens a penalty, and a longer Retry-After makes it longer", async () => {
    const clock = sleepingClock(T0);
    const b = budget(clock);
    const s = scope(4);
    await b.shrink(s, 120_000);
    await b.shrink(s); // 60 s: keeps the 120 s one
    clock.advance(90_000);
    expect(await admittedNow(b, s)).toBe(2);
    clock.advance(30_000);
    expect(await admittedNow(b, s)).toBe(4);
  });

  it("waits for the next window when that is within maxWaitMs", async () => {
    const clock = sleepingClock(T0 + 600);
    const b = budget(clock);
    const s = scope(2, 500);
    await b.take(s);
    await b.take(s);
    await b.take(s);
    expect(clock.sleeps).toEqual([400]);
  });

  it("fails THROTTLED with the wait as its retry hint past maxWaitMs, using nothing up", async () => {
    const clock = sleepingClock(T0 + 200);
    const b = budget(clock);
    const s = scope(2, 500);
    await b.take(s);
    await b.take(s);

    const error = await rejectionOf(b.take(s), ProviderError);
    expect(error.cls).toBe("THROTTLED");
    expect(error.retryAfterMs).toBe(800);
    expect(clock.sleeps).toEqual([]);
    clock.advance(800);
    expect(await admittedNow(b, s)).toBe(2);
  });

  it("fails a caller THROTTLED, with no write, once its wait in this process's line passes maxWaitMs", async () => {
    const clock = sleepingClock(T0 + 100);
    // The first caller's reservation takes 600 ms: the two who queued behind it waited that long.
    const slow = slowWrites(clock, 600);
    const b = new TableRateBudget({ db: slow.db, table: t.table, clock });
    const s = scope(100, 500);
    const [first, second, third] = await Promise.allSettled([b.take(s), b.take(s), b.take(s)]);
    expect(first.status).toBe("fulfilled");
    for (const late of [second, third]) {
      expect(late.status).toBe("rejected");
      const error = (late as PromiseRejectedResult).reason;
      expect(error).toBeInstanceOf(ProviderError);
      expect(error.cls).toBe("THROTTLED");
      expect(error.message).toMatch(/600 ms in line/);
    }
    expect(slow.writes).toBe(1);
  });

  it("serves a process's line in batches: one write reserves a slot for every caller waiting, a window at a time", async () => {
    const clock = steppedClock(T0 + 100);
    const slow = slowWrites({ advance: () => undefined }, 0);
    const b = new TableRateBudget({ db: slow.db, table: t.table, clock });
    const s = scope(5, 5_000);
    const perSecond = await admittedPerSecond(
      clock,
      Array.from({ length: 11 }, () => () => b.take(s)),
      5,
    );
    // The first found the line empty and was served alone; the ten behind it were one
    // batch: four more in this window, five in the next, one in the one after.
    expect(slow.writes).toBe(4);
    expect(perSecond).toEqual([5, 5, 1]);
  });

  it("defers a caller inside inTurn with a slot reserved ahead, which it alone uses when it comes back", async () => {
    const clock = sleepingClock(T0 + 200);
    const slow = slowWrites(clock, 0);
    const b = new TableRateBudget({ db: slow.db, table: t.table, clock });
    const s = scope(2, 500);
    await b.take(s);
    await b.take(s);
    // The window is full and the next opens past maxWaitMs: reserved there, not slept for.
    const first = await rejectionOf(
      inTurn(undefined, () => b.take(s)),
      BudgetDeferral,
    );
    const second = await rejectionOf(
      inTurn(undefined, () => b.take(s)),
      BudgetDeferral,
    );
    const third = await rejectionOf(
      inTurn(undefined, () => b.take(s)),
      BudgetDeferral,
    );
    expect(first.cls).toBe("THROTTLED");
    expect([first.turn.slotMs, second.turn.slotMs, third.turn.slotMs]).toEqual([
      T0 + 1000,
      T0 + 1000,
      T0 + 2000,
    ]);
    // Told to come back a little early (four fifths of its 500 ms wait), to sleep the rest.
    expect(first.retryAfterMs).toBe(400);
    expect(clock.sleeps).toEqual([]);
    // Those reservations hold: a caller that must go soon finds no room within its wait.
    expect((await rejectionOf(b.take(s), ProviderError)).cls).toBe("THROTTLED");

    // Back a little early: it sleeps to its slot and goes, with no write.
    clock.advance(600); // T0 + 800
    const writes = slow.writes;
    await inTurn(first.turn, () => b.take(s));
    expect(slow.writes).toBe(writes);
    expect(clock.sleeps).toEqual([200]);
    // Its turn is used once: the next request of the same step takes a slot anew (deferred).
    await inTurn(second.turn, async () => {
      await b.take(s);
      const again = await rejectionOf(b.take(s), BudgetDeferral);
      expect(again.turn.slotMs).toBe(T0 + 2000);
    });
  });

  it("reserves a turn without waiting for it, and says when to come back", async () => {
    const clock = sleepingClock(T0 + 200);
    const b = budget(clock);
    const s = scope(1, 5_000);
    // This window's slot: go now.
    expect(await b.reserve(s)).toMatchObject({ turn: { slotMs: T0 }, retryAfterMs: 0 });
    // Six windows on: come back four seconds before it.
    for (let i = 1; i < 6; i++) await b.reserve(s);
    const later = await b.reserve(s);
    expect(later.turn.slotMs).toBe(T0 + 6_000);
    expect(later.retryAfterMs).toBe(6_000 - 200 - 4_000);
    expect(clock.sleeps).toEqual([]);
    // Coming back in time, the turn is the caller's own.
    clock.advance(later.retryAfterMs);
    await inTurn(later.turn, () => b.take(s));
    expect(clock.now()).toBe(T0 + 6_000);
  });

  it("takes a slot anew for a turn that came back after its window", async () => {
    const clock = sleepingClock(T0 + 200);
    const b = budget(clock);
    const s = scope(1, 500);
    await b.take(s);
    const deferred = await rejectionOf(
      inTurn(undefined, () => b.take(s)),
      BudgetDeferral,
    );
    expect(deferred.turn.slotMs).toBe(T0 + 1000);
    clock.advance(1_900); // T0 + 2100: its window has passed
    await inTurn(deferred.turn, () => b.take(s));
    expect(clock.sleeps).toEqual([]);
    // It counted in its own window now: this one is full.
    expect(await admittedNow(b, s)).toBe(0);
  });

  it("counts below 1 request/s in longer windows: 0.5/s is one request per 2 s", async () => {
    const clock = sleepingClock(T0);
    const b = budget(clock);
    const s = scope(0.5);
    expect(await admittedNow(b, s)).toBe(1);
    clock.advance(1000);
    expect(await admittedNow(b, s)).toBe(0);
    clock.advance(1000);
    expect(await admittedNow(b, s)).toBe(1);
  });
});

/** Lambda's event filtering for the patterns we use: every listed field must match one value. */
function matches(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) return pattern.includes(value);
  if (typeof pattern !== "object" || pattern === null) return false;
  if (typeof value !== "object" || value === null) return false;
  return Object.entries(pattern).every(([k, p]) =>
    matches(p, (value as Record<string, unknown>)[k]),
  );
}

describe("the rate budget's items and the table's stream consumers", () => {
  it("are passed by neither stream filter, whether written, updated or removed by TTL", async () => {
    const clock = sleepingClock(T0);
    const b = budget(clock);
    const s = scope(3);
    await b.take(s);
    await b.shrink(s);
    const item = (
      await t.db.get({ TableName: t.table, Key: Keys.rateBudget(s.vendor, s.host, s.account) })
    ).Item as Record<string, unknown>;
    expect(item).toMatchObject({ entity: "rate-budget", admitted: 1, ttl: expect.any(Number) });

    const keys = { pk: item.pk, sk: item.sk };
    const now = new Date(T0);
    const records = [
      streamRecord({ eventName: "INSERT", keys, newImage: item, now, table: t.table }),
      streamRecord({
        eventName: "MODIFY",
        keys,
        oldImage: item,
        newImage: item,
        now,
        table: t.table,
      }),
      streamRecord({
        eventName: "REMOVE",
        keys,
        oldImage: item,
        userIdentity: { ...TTL_PRINCIPAL },
        now,
        table: t.table,
      }),
    ];
    for (const record of records) {
      expect(matches(OUTBOX_STREAM_FILTER, record)).toBe(false);
      expect(matches(EXPIRY_STREAM_FILTER, record)).toBe(false);
    }
    expect(expiredMarkerOf({ ...records[2]!, dynamodb: { OldImage: item } })).toBeUndefined();

    // The matcher is not vacuous: an expiry marker's TTL removal passes the expiry filter.
    const marker = { ...Keys.expiry("bk_1"), entity: "expiry", backupId: "bk_1" };
    const removal = streamRecord({
      eventName: "REMOVE",
      keys: Keys.expiry("bk_1"),
      oldImage: marker,
      userIdentity: { ...TTL_PRINCIPAL },
      now,
      table: t.table,
    });
    expect(matches(EXPIRY_STREAM_FILTER, removal)).toBe(true);
  });

  it("never reach the local runtime's emulated stream or TTL", async () => {
    const b = budget(sleepingClock(T0));
    await b.take(scope(3));
    const deps = { db: t.db, table: t.table };
    expect(await new OutboxRepository(deps).pendingImages(100)).toEqual([]);
    expect(await new ExpiryRepository(deps).due(new Date(T0 + 365 * 86_400_000))).toEqual([]);
  });
});
