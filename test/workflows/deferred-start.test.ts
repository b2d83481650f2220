import { describe, expect, it } from "vitest";
import { useHarness } from "../support/use-harness.ts";

/*
 * More backups due at once than the fleet's rate budget admits within a request's wait:
 * each start the budget cannot admit soon reserves a slot ahead and is deferred
 * (DEFERRED → WaitForTurn → StartInTurn), instead of sleeping through the line or retrying
 * blind until its retries run out. Every backup starts, once, each in a window of its own,
 * and the vendor refuses nothing.
 */

const BACKUPS = 5;

describe("create-backup under a taken rate budget", () => {
  const h = useHarness(
    {
      fleet: BACKUPS,
      // One request a second, and a request may wait one second: the third start of a
      // burst cannot go within its wait.
      env: {
        WARDEN_RATE_LIMITS: JSON.stringify({
          zilliz: { requestsPerSecond: 1, burst: 1, maxWaitMs: 1_000 },
        }),
      },
    },
    async (h) => {
      for (const [i, clusterId] of h.sim.clusters.slice(2).entries()) {
        // Registering asks the vendor too; one at a time keeps it within the budget.
        await h.zillizTarget(`burst-${i + 1}`, {
          resource: { clusterId, baseUrl: h.sim.url },
        });
      }
    },
  );

  it("defers the starts it cannot admit to slots it reserves, and starts each once, in a window of its own", async () => {
    const requested = await Promise.all(
      Array.from({ length: BACKUPS }, (_, i) =>
        h.call("POST", `/v1/targets/burst-${i + 1}/backups`),
      ),
    );
    expect(requested.map((r) => r.status)).toEqual(Array(BACKUPS).fill(202));
    await h.starter.idle();

    const records = await Promise.all(
      requested.map(async (r) => (await h.call("GET", `/v1/backups/${r.json.id}`)).json),
    );
    expect(records.map((b) => [b.status, b.lastError?.message])).toEqual(
      Array(BACKUPS).fill(["AVAILABLE", undefined]),
    );
    const creates = h.sim.requests.filter(
      (r) => r.method === "POST" && r.path.endsWith("/backups/create"),
    );
    expect(creates).toHaveLength(BACKUPS);
    expect(creates.filter((r) => r.status !== 200)).toEqual([]);
    // At most one a second: the budget's windows, each used by the start that reserved it.
    const seconds = creates.map((r) => Math.floor(r.servedAt / 1000));
    expect(new Set(seconds).size).toBe(BACKUPS);
    expect(h.sim.requests.filter((r) => r.refusedForRate)).toEqual([]);
    // Deferred, not slept through: five starts at one a second span four seconds at least,
    // past any one invocation's wait of one second.
    expect(Math.max(...seconds) - Math.min(...seconds)).toBeGreaterThanOrEqual(BACKUPS - 1);
  });
});
