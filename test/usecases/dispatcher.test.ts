import { describe, expect, it } from "vitest";
import { onSecondCluster, useHarness } from "../support/use-harness.ts";

describe("dispatcher (schedules on the real ASL, dynalite and the simulator)", () => {
  const h = useHarness({}, async (h) => {
    await h.zillizTarget("orders", { tags: { tier: "gold" } });
    await h.zillizTarget("search", { tags: { tier: "gold" }, ...onSecondCluster(h) });
  });

  async function policy(id: string, extra: Record<string, unknown> = {}) {
    const r = await h.call("POST", "/v1/policies", {
      body: {
        id,
        name: id,
        schedule: { expression: "rate(1 minute)" },
        targets: { ids: ["orders"] },
        retention: { last: 10 },
        ...extra,
      },
    });
    if (r.status !== 201) throw new Error(`policy not created: ${r.body}`);
    return r.json as { nextRunAt: string; id: string };
  }

  const scheduled = async (policyId: string) =>
    (await h.container.backups.list({ limit: 100 })).items.filter((b) => b.policyId === policyId);

  it("starts one backup per target for a due policy, and a duplicated tick starts nothing more", async () => {
    const p = await policy("every-minute");
    const at = new Date(Date.parse(p.nextRunAt) + 1_000);
    const [first, second] = await Promise.all([h.container.schedule(at), h.container.schedule(at)]);
    const again = await h.container.schedule(at);
    expect([...first, ...second, ...again].filter((o) => o.kind === "started")).toHaveLength(1);
    await h.starter.idle();
    const backups = await scheduled("every-minute");
    expect(backups).toHaveLength(1);
    expect(backups[0]).toMatchObject({
      trigger: "schedule",
      policyId: "every-minute",
      scheduledAt: p.nextRunAt,
      status: "AVAILABLE",
    });
    const advanced = (await h.call("GET", "/v1/policies/every-minute")).json;
    expect(Date.parse(advanced.nextRunAt)).toBeGreaterThan(Date.parse(p.nextRunAt));
    await h.call("DELETE", "/v1/policies/every-minute");
  });

  it("covers every target matching a tag selector", async () => {
    const p = await policy("gold", { targets: { selector: { tier: "gold" } } });
    await h.container.schedule(new Date(Date.parse(p.nextRunAt) + 1_000));
    await h.starter.idle();
    expect((await scheduled("gold")).map((b) => b.targetId).sort()).toEqual(["orders", "search"]);
    await h.call("DELETE", "/v1/policies/gold");
  });

  it("skips a target whose previous backup still runs, and records the skip", async () => {
    const running = await h.call("POST", "/v1/targets/orders/backups");
    const p = await policy("busy");
    const outcomes = await h.container.schedule(new Date(Date.parse(p.nextRunAt) + 1_000));
    expect(outcomes).toEqual([
      expect.objectContaining({
        kind: "skipped",
        run: expect.objectContaining({
          reason: `the previous backup ${running.json.id} is still running`,
        }),
      }),
    ]);
    await h.starter.idle();
    expect(await scheduled("busy")).toEqual([]);
    await h.call("DELETE", "/v1/policies/busy");
  });

  it("records a run that could not start inside its start window as MISSED", async () => {
    const p = await policy("late", { startWindowMinutes: 5 });
    const outcomes = await h.container.schedule(new Date(Date.parse(p.nextRunAt) + 6 * 60_000));
    expect(outcomes.map((o) => o.kind)).toEqual(["missed"]);
    expect(await scheduled("late")).toEqual([]);
    await h.call("DELETE", "/v1/policies/late");
  });

  it("marks a backup FAILED and frees its cluster when its workflow cannot be started", async () => {
    const p = await policy("unstartable");
    // Step Functions refuses every attempt, the SDK's retries included.
    h.functions.aws.fail("states:StartExecution", "ServiceUnavailable", { times: 3, status: 503 });
    const outcomes = await h.container.schedule(new Date(Date.parse(p.nextRunAt) + 1_000));
    expect(outcomes.map((o) => o.kind)).toEqual(["failed"]);
    const [failed] = await scheduled("unstartable");
    expect(failed).toMatchObject({
      status: "FAILED",
      lastError: { code: "WORKFLOW_START_FAILED" },
    });
    // The lease was released: the cluster takes the next backup at once.
    const next = await h.call("POST", "/v1/targets/orders/backups");
    expect(next.status).toBe(202);
    await h.starter.idle();
    await h.call("DELETE", "/v1/policies/unstartable");
  });

  it("isolates a failing target: the other targets of the policy start, the failure is recorded and announced once", async () => {
    const p = await policy("half-broken", { targets: { ids: ["orders", "search"] } });
    const at = new Date(Date.parse(p.nextRunAt) + 1_000);
    // The first target's backup cannot be recorded (the table refuses, the SDK's retries too);
    // the launches run side by side, so the fault picks its target by the item written.
    // Armed for this tick only, however many attempts the SDK makes.
    let armed = true;
    h.functions.aws.fail("dynamodb:PutItem", "ServiceUnavailable", {
      times: 100,
      status: 503,
      when: (input) => {
        if (!armed) return false;
        const item = JSON.stringify(input);
        return (
          item.includes('"entity":{"S":"backup"}') && item.includes('"targetId":{"S":"orders"}')
        );
      },
    });

    const outcomes = await h.container.schedule(at);
    armed = false;
    await h.starter.idle();
    await h.functions.outbox.settled();
    const again = await h.container.schedule(at); // a duplicated tick adds nothing

    expect(outcomes.map((o) => [o.kind, o.run.targetId]).sort()).toEqual([
      ["failed", "orders"],
      ["started", "search"],
    ]);
    expect(again).toEqual([]);
    const runs = await h.container.runs.list("half-broken");
    expect(runs.map((r) => [r.targetId, r.status]).sort()).toEqual([
      ["orders", "FAILED"],
      ["search", "STARTED"],
    ]);
    expect(runs.find((r) => r.targetId === "orders")?.reason).toMatch(/^the run failed: /);
    expect(
      h.events.filter((e) => e.type === "schedule.failed" && e.detail.policyId === "half-broken"),
    ).toHaveLength(1);
    await h.call("DELETE", "/v1/policies/half-broken");
  });

  it("isolates a failing policy: the next due policy still runs", async () => {
    const broken = await policy("broken-selector", { targets: { selector: { tier: "gold" } } });
    const fine = await policy("fine");
    // Reading the broken policy's selected targets is refused (not retried: once is enough).
    h.functions.aws.fail("dynamodb:Query", "AccessDeniedException", {
      times: 1,
      when: (input) => JSON.stringify(input).includes("TARGETS"),
    });
    const at = new Date(Math.max(Date.parse(broken.nextRunAt), Date.parse(fine.nextRunAt)) + 1_000);

    const outcomes = await h.container.schedule(at);
    await h.starter.idle();
    await h.functions.outbox.settled();

    expect(outcomes.find((o) => o.run.policyId === "broken-selector")).toMatchObject({
      kind: "failed",
      run: { targetId: "*" },
    });
    expect(outcomes.find((o) => o.run.policyId === "fine")?.kind).toBe("started");
    const announced = h.events.filter(
      (e) => e.type === "schedule.failed" && e.detail.policyId === "broken-selector",
    );
    expect(announced).toHaveLength(1);
    await h.call("DELETE", "/v1/policies/broken-selector");
    await h.call("DELETE", "/v1/policies/fine");
  });

  it("does nothing for a paused policy", async () => {
    const p = await policy("paused", { enabled: false });
    expect(p.nextRunAt).toBeUndefined();
    expect(await h.container.schedule(new Date(Date.now() + 3_600_000))).toEqual([]);
  });

  it("refuses a policy with an empty retention rule, an unknown target or a bad schedule (422)", async () => {
    const base = {
      name: "x",
      schedule: { expression: "rate(1 minute)" },
      targets: { ids: ["orders"] },
      retention: { last: 1 },
    };
    const empty = await h.call("POST", "/v1/policies", { body: { ...base, retention: {} } });
    expect(empty.status).toBe(422);
    const unknown = await h.call("POST", "/v1/policies", {
      body: { ...base, targets: { ids: ["nope"] } },
    });
    expect(unknown.status).toBe(422);
    const badCron = await h.call("POST", "/v1/policies", {
      body: { ...base, schedule: { expression: "61 * * * *" } },
    });
    expect([400, 422]).toContain(badCron.status);
  });
});
