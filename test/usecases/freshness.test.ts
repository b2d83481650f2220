import { describe, expect, it } from "vitest";
import { useHarness } from "../support/use-harness.ts";

/*
 * Freshness objectives on the real handlers, dynalite and the Zilliz simulator, with the
 * Slack sink: the sweeper finds a target whose newest good backup is older than its
 * objective whether or not anything ran, announces the breach once, and the recovery once.
 */
describe("freshness objectives", () => {
  const h = useHarness({ slack: true }, async (h) => {
    await h.zillizTarget("orders");
    const policy = await h.call("POST", "/v1/policies", {
      body: {
        id: "hourly",
        name: "hourly",
        schedule: { expression: "rate(1 hour)" },
        targets: { ids: ["orders"] },
        retention: { last: 10 },
        rpo: "90m",
      },
    });
    if (policy.status !== 201) throw new Error(`policy not created: ${policy.body}`);
  });

  const backup = async (targetId = "orders") => {
    const created = await h.call("POST", `/v1/targets/${targetId}/backups`);
    await h.starter.idle();
    return created.json.id as string;
  };
  const announced = async (
    type: string,
    targetId = "orders",
  ): Promise<Array<{ type: string; detail: Record<string, any> }>> => {
    await h.functions.outbox.settled();
    return h.events.filter((e) => e.type === type && e.detail.targetId === targetId);
  };
  const slackAbout = (words: string) =>
    h.sink!.messages.filter((m) => m.summary.includes(words) && m.summary.includes("orders"));
  const compliance = async () =>
    (await h.call("GET", "/v1/compliance")).json.items as Array<Record<string, any>>;

  it("reports a covered target fresh while its newest good backup is within the objective", async () => {
    const id = await backup();
    h.clock.advance(10 * 60_000);
    const summary = await h.container.sweeper.sweep();
    expect(summary).toMatchObject({ breaches: 0, breachedTargets: 0 });
    const orders = (await compliance()).find((c) => c.targetId === "orders");
    expect(orders).toMatchObject({
      status: "fresh",
      objective: "90m",
      objectiveSeconds: 5400,
      objectiveFrom: "policy:hourly",
      newestBackup: { backupId: id, ageSeconds: expect.any(Number) },
      policies: [{ id: "hourly", enabled: true }],
    });
    expect(orders!.newestBackup.ageSeconds).toBeGreaterThanOrEqual(600);
    expect(orders!.nextRunAt).toEqual(expect.any(String));
  });

  it("announces a breach once when the schedule stops, with nothing running at all", async () => {
    // The operator pauses the policy: nothing runs, no job event will ever say so.
    const policy = (await h.call("GET", "/v1/policies/hourly")).json;
    const { id, createdAt, updatedAt, version, nextRunAt, ...spec } = policy;
    const paused = await h.call("PUT", "/v1/policies/hourly", {
      body: { ...spec, enabled: false },
      headers: { "if-match": `"${version}"` },
    });
    expect(paused.status, paused.body).toBe(200);
    h.clock.advance(90 * 60_000);
    // Two sweeps at once (a retried schedule): one announcement.
    const [a, b] = await Promise.all([h.container.sweeper.sweep(), h.container.sweeper.sweep()]);
    expect(a.breaches + b.breaches).toBe(1);
    expect(await h.container.sweeper.sweep()).toMatchObject({ breaches: 0, breachedTargets: 1 });
    const [event] = await announced("freshness.breached");
    expect(await announced("freshness.breached")).toHaveLength(1);
    expect(event!.detail).toMatchObject({
      objective: "90m",
      objectiveFrom: "policy:hourly",
      policyId: "hourly",
      policyIds: ["hourly"],
    });
    expect(slackAbout("freshness objective breached")).toHaveLength(1);
    const orders = (await compliance()).find((c) => c.targetId === "orders");
    expect(orders).toMatchObject({
      status: "breached",
      breachedSince: event!.detail.since,
      policies: [{ id: "hourly", enabled: false }],
    });
    expect(orders!.nextRunAt).toBeUndefined();
    expect((await h.call("GET", "/v1/compliance?status=breached")).json.items).toHaveLength(1);
  });

  it("announces the recovery once when a good backup exists again", async () => {
    await backup();
    expect((await h.container.sweeper.sweep()).recoveries).toBe(1);
    expect((await h.container.sweeper.sweep()).recoveries).toBe(0);
    const recovered = await announced("freshness.recovered");
    expect(recovered).toHaveLength(1);
    const [breach] = await announced("freshness.breached");
    expect(recovered[0]!.detail).toMatchObject({ breachedSince: breach!.detail.since });
    expect(slackAbout("objective met again")).toHaveLength(1);
    expect((await compliance()).find((c) => c.targetId === "orders")).toMatchObject({
      status: "fresh",
    });
  });

  it("breaches a watched target whose policy is deleted: nothing backs it up any more", async () => {
    expect((await h.call("DELETE", "/v1/policies/hourly")).status).toBe(204);
    expect((await h.container.sweeper.sweep()).breaches).toBe(1);
    const breaches = await announced("freshness.breached");
    expect(breaches.at(-1)!.detail).toMatchObject({
      policyIds: [],
      objectiveFrom: "no policy covers it",
    });
    expect((await compliance()).find((c) => c.targetId === "orders")).toMatchObject({
      status: "breached",
      policies: [],
    });
  });

  it("lists a target nothing ever covered as unprotected, without announcing it", async () => {
    await h.zillizTarget("scratch", {
      resource: { clusterId: h.sim.clusters[1], baseUrl: h.sim.url },
    });
    await h.container.sweeper.sweep();
    expect(await announced("freshness.breached", "scratch")).toHaveLength(0);
    expect((await compliance()).find((c) => c.targetId === "scratch")).toMatchObject({
      status: "unprotected",
      policies: [],
      storedBytes: 0,
    });
  });

  it("gives a new target its objective's time for a first backup, then breaches it", async () => {
    await h.zillizTarget("fresh-start", {
      rpo: "30m",
      resource: { clusterId: h.sim.clusters[1], baseUrl: h.sim.url },
    });
    const covering = await h.call("POST", "/v1/policies", {
      body: {
        id: "daily",
        name: "daily",
        schedule: { expression: "rate(1 day)" },
        targets: { ids: ["fresh-start"] },
        retention: { last: 3 },
      },
    });
    expect(covering.status).toBe(201);
    await h.container.sweeper.sweep();
    expect((await compliance()).find((c) => c.targetId === "fresh-start")).toMatchObject({
      status: "fresh",
      objective: "30m",
      objectiveFrom: "target",
    });
    expect(
      (await compliance()).find((c) => c.targetId === "fresh-start")?.newestBackup,
    ).toBeUndefined();
    h.clock.advance(31 * 60_000);
    await h.container.sweeper.sweep();
    const [event] = await announced("freshness.breached", "fresh-start");
    expect(event!.detail.ageSeconds).toBeUndefined();
    expect(event!.detail.objectiveFrom).toBe("target");
  });

  it("refuses an objective that is not a duration, and changes nothing", async () => {
    const before = (await h.call("GET", "/v1/targets/orders")).json;
    const { id, createdAt, updatedAt, version, ...spec } = before;
    const bad = await h.call("PUT", "/v1/targets/orders", {
      body: { ...spec, rpo: "soon" },
      headers: { "if-match": `"${version}"` },
    });
    expect(bad.status).toBe(400);
    expect(bad.headers["content-type"]).toContain("application/problem+json");
    expect(bad.body).toContain("rpo");
    expect((await h.call("GET", "/v1/targets/orders")).json).toEqual(before);
    const policy = await h.call("POST", "/v1/policies", {
      body: {
        name: "x",
        schedule: { expression: "rate(1 day)" },
        targets: { ids: ["orders"] },
        retention: { last: 1 },
        rpo: "0h",
      },
    });
    expect(policy.status).toBe(400);
    expect(policy.body).toContain("rpo");
  });
});
