import { describe, expect, it } from "vitest";
import { onSecondCluster, useHarness } from "../support/use-harness.ts";

describe("schedules end to end: rate(1 minute) for five minutes, every outcome in Slack", () => {
  const h = useHarness({ slack: true }, async (h) => {
    await h.zillizTarget("orders", { tags: { team: "search" } });
    await h.zillizTarget("catalog", { tags: { team: "search" }, ...onSecondCluster(h) });
  });

  it("makes one backup per minute per target, no duplicates and no gaps, each reported", async () => {
    const created = await h.call("POST", "/v1/policies", {
      body: {
        id: "minutely",
        name: "Every minute",
        schedule: { expression: "rate(1 minute)" },
        targets: { selector: { team: "search" } },
        retention: { last: 100 },
        notifications: { successes: "sandbox/slack" },
      },
    });
    expect(created.status).toBe(201);
    // Five simulated minutes; the dispatcher ticks every 10 s, twice at once now and then.
    const start = Date.parse(created.json.nextRunAt);
    for (let second = 0; second < 5 * 60; second += 10) {
      const now = new Date(start + second * 1000 + 500);
      await Promise.all([
        h.container.schedule(now),
        second % 60 === 0 ? h.container.schedule(now) : [],
      ]);
      await h.starter.idle();
    }
    await h.functions.outbox.settled();
    for (const targetId of ["orders", "catalog"]) {
      const backups = (
        await h.container.backups.list({ targetId, policyId: "minutely", limit: 100 })
      ).items;
      const slots = backups.map((b) => Date.parse(b.scheduledAt!)).sort((a, b) => a - b);
      expect(slots).toEqual([0, 1, 2, 3, 4].map((m) => start + m * 60_000));
      expect(backups.every((b) => b.status === "AVAILABLE" && b.trigger === "schedule")).toBe(true);
    }
    const texts = h.sink!.messages.map((m) => JSON.stringify(m.payload));
    expect(texts.filter((t) => t.includes("Backup available"))).toHaveLength(10);
  }, 60_000);

  it("reports a failing scheduled backup exactly once, with the vendor's reason", async () => {
    h.sink!.messages.length = 0;
    h.sim.faults.add({
      kind: "fail-next-job",
      reason: "cluster is being upgraded (maintenance window)",
    });
    const backup = await h.call("POST", "/v1/targets/orders/backups");
    await h.starter.idle();
    await h.functions.outbox.settled();
    expect((await h.call("GET", `/v1/backups/${backup.json.id}`)).json.status).toBe("FAILED");
    const failures = h.sink!.messages.filter((m) =>
      JSON.stringify(m.payload).includes("Backup failed"),
    );
    expect(failures).toHaveLength(1);
    expect(JSON.stringify(failures[0]!.payload)).toContain(
      "cluster is being upgraded (maintenance window)",
    );
  }, 30_000);
});
