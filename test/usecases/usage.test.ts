import { describe, expect, it } from "vitest";
import { USAGE_DAYS } from "../../lib/core/compliance.ts";
import { useHarness } from "../support/use-harness.ts";

/*
 * The storage bill from the catalogue, on the real handlers and the Zilliz simulator: what
 * the vendor holds now per vendor, policy and target, and day by day — a deleted backup
 * counts for the days the vendor held it, and not after.
 */
describe("the storage bill", () => {
  const h = useHarness({}, (h) => h.zillizTarget("orders"));

  const backup = async () => {
    const created = await h.call("POST", "/v1/targets/orders/backups");
    await h.starter.idle();
    return (await h.call("GET", `/v1/backups/${created.json.id}`)).json as {
      id: string;
      sizeBytes?: number;
    };
  };

  it("sums what the vendor holds now, and the last 30 days, deletions included", async () => {
    const first = await backup();
    const second = await backup();
    expect(first.sizeBytes).toBeGreaterThan(0);
    const both = (first.sizeBytes ?? 0) + (second.sizeBytes ?? 0);
    let usage = (await h.call("GET", "/v1/usage")).json;
    expect(usage).toMatchObject({
      totalBytes: both,
      backups: 2,
      unsized: 0,
      byVendor: { zilliz: both },
      byPolicy: { "(none)": both },
      byTarget: { orders: both },
    });
    expect(usage.series).toHaveLength(USAGE_DAYS);
    expect(usage.series.at(-1)).toMatchObject({ totalBytes: both, byVendor: { zilliz: both } });
    expect(usage.series.at(-2).totalBytes).toBe(0);

    // Three days later the first one is deleted: it was held for those days, not since.
    h.clock.advance(3 * 86_400_000);
    expect((await h.call("DELETE", `/v1/backups/${first.id}`)).status).toBe(202);
    await h.starter.idle();
    expect((await h.call("GET", `/v1/backups/${first.id}`)).json.status).toBe("DELETED");
    usage = (await h.call("GET", "/v1/usage")).json;
    expect(usage).toMatchObject({ totalBytes: second.sizeBytes, backups: 1 });
    const days = usage.series.map((d: { totalBytes: number }) => d.totalBytes);
    expect(days.slice(-4)).toEqual([both, both, both, second.sizeBytes]);
    expect(usage.series.at(-1).date).toBe(h.clock.now().toISOString().slice(0, 10));
  });

  it("refuses parameters it does not take", async () => {
    const r = await h.call("GET", "/v1/usage?days=90");
    expect(r.status).toBe(400);
    expect(r.headers["content-type"]).toContain("application/problem+json");
  });
});
