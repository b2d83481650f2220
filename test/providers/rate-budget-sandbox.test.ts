import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ProviderError } from "../../lib/core/provider-error.ts";
import { TableRateBudget } from "../../lib/providers/rate-budget.ts";
import { credentialFingerprint } from "../../lib/providers/rate-limit.ts";
import { createProviderFactory, type RateLimitOverrides } from "../../lib/providers/registry.ts";
import { StaticSecretSource } from "../../lib/providers/secrets.ts";
import { Keys } from "../../lib/store/keys.ts";
import { ZILLIZ_RATE_LIMIT_PER_SECOND } from "../../sandbox/index.ts";
import { startZillizSimulator, type ZillizSimulator } from "../../sandbox/zilliz.ts";
import { type SteppedClock, steppedClock } from "../support/clocks.ts";
import { dynaliteTable, type TestTable } from "../support/dynamo-engines.ts";
import { storedTarget } from "../support/targets.ts";

/*
 * The fleet's budget against the Zilliz simulator, which enforces the documented 20
 * requests per second per user and endpoint in wall-clock seconds: several "containers"
 * (each its own budget and adapter) calling one account stay under it together.
 *
 * Both sides read one clock that moves only when every caller has settled (answered, or
 * asleep until the next window): our windows and the vendor's are then the same seconds,
 * as NTP-synced clocks nearly are, and no scheduling delay can move a request into another
 * second. The margin below the vendor's limit is for the real skew.
 */

const T0 = Date.parse("2026-11-01T00:00:00.300Z");
let t: TestTable;
let sim: ZillizSimulator;
let clock: SteppedClock;

beforeAll(async () => {
  clock = steppedClock(T0);
  [t, sim] = await Promise.all([
    dynaliteTable(),
    startZillizSimulator({
      clusters: ["in01-7b3f9c2e5a1d804"],
      rateLimitPerSecond: ZILLIZ_RATE_LIMIT_PER_SECOND,
      now: clock.now,
    }),
  ]);
});
afterAll(async () => {
  await sim?.close();
  await t?.close();
});

/** One Lambda container: its own budget object (same table) and its own adapter. */
function container(secretRef: string, rateLimits?: RateLimitOverrides) {
  const factory = createProviderFactory({
    secrets: new StaticSecretSource({ [secretRef]: { vendor: "zilliz", apiKey: sim.apiKey } }),
    allowLoopback: true,
    budget: new TableRateBudget({ db: t.db, table: t.table, clock }),
    ...(rateLimits ? { rateLimits } : {}),
  });
  return factory(
    storedTarget({
      id: `tg_${secretRef}`,
      secretRef,
      resource: { clusterId: "in01-7b3f9c2e5a1d804", baseUrl: sim.url },
    }),
  );
}

/** Runs the calls, opening one second after another until every one has settled. */
async function settle<T>(calls: (() => Promise<T>)[]): Promise<PromiseSettledResult<T>[]> {
  let settled = 0;
  const all = Promise.allSettled(calls.map((call) => call().finally(() => settled++)));
  for (let second = 1; ; second++) {
    await vi.waitFor(() => expect(settled + clock.sleeping()).toBe(calls.length), {
      timeout: 10_000,
    });
    if (settled === calls.length) return all;
    expect(second).toBeLessThan(30);
    clock.advanceTo(Math.floor(clock.now() / 1000) * 1000 + 1000);
  }
}

describe("the fleet's rate budget against the Zilliz simulator", () => {
  it("keeps four containers' 60 concurrent requests under Zilliz's limit: none refused", async () => {
    const adapters = await Promise.all([1, 2, 3, 4].map(() => container("zilliz-main")));
    const before = sim.requests.length;
    const results = await settle(
      adapters.flatMap((adapter) => Array.from({ length: 15 }, () => () => adapter.listBackups())),
    );

    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    const sent = sim.requests.slice(before);
    expect(sent).toHaveLength(60);
    expect(sent.filter((r) => r.refusedForRate)).toEqual([]);
  });

  it("puts a penalty on the account's budget, for every container, when Zilliz answers 429", async () => {
    // Prepare: an account configured far above what the vendor will take (its own entry
    // overrides the vendor's), and a simulator limit it is sure to hit.
    const limited = await startZillizSimulator({
      clusters: ["in01-7b3f9c2e5a1d804"],
      rateLimitPerSecond: 2,
      now: clock.now,
    });
    try {
      const factory = createProviderFactory({
        secrets: new StaticSecretSource({
          "zilliz-tight": { vendor: "zilliz", apiKey: limited.apiKey },
        }),
        allowLoopback: true,
        budget: new TableRateBudget({ db: t.db, table: t.table, clock }),
        rateLimits: { zilliz: { maxWaitMs: 0 }, "zilliz:zilliz-tight": { requestsPerSecond: 10 } },
      });
      const adapter = await factory(
        storedTarget({
          id: "tg_tight",
          secretRef: "zilliz-tight",
          resource: { clusterId: "in01-7b3f9c2e5a1d804", baseUrl: limited.url },
        }),
      );
      // Act: six at once, in one second.
      const results = await settle(Array.from({ length: 6 }, () => () => adapter.listBackups()));

      // Assess: the refusals came back THROTTLED, and the account's item carries a penalty.
      const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
      expect(refused).toHaveLength(4);
      for (const error of refused) expect(error).toMatchObject({ cls: "THROTTLED" });
      expect(refused[0]).toBeInstanceOf(ProviderError);
      const host = new URL(limited.url).host;
      const account = credentialFingerprint({ apiKey: limited.apiKey });
      const { Item } = await t.db.get({
        TableName: t.table,
        Key: Keys.rateBudget("zilliz", host, account),
      });
      expect(Item?.penaltyUntilMs).toBe(clock.now() + 60_000);
    } finally {
      await limited.close();
    }
  });
});
