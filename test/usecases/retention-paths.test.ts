import { describe, expect, it } from "vitest";
import {
  fireExpiryMarkers,
  onSecondCluster,
  scheduledBackup,
  useHarness,
} from "../support/use-harness.ts";

/*
 * The retention paths each function takes on its own: the re-plan that follows a backup
 * settling AVAILABLE (poll-backup, or record-failure when a later step failed), a guarded
 * backup's expiry marker re-armed (expiry-stream and the sweeper), and a retired target
 * removed (the sweeper). Each runs through the function that runs it on AWS.
 */

const MINUTE = 60_000;

describe("retention, function by function", () => {
  const h = useHarness({}, async (h) => {
    await h.zillizTarget("orders");
    await h.zillizTarget("search", onSecondCluster(h));
  });

  const status = async (id: string) => (await h.container.backups.get(id)).status;

  async function policy(id: string, retention: Record<string, unknown>) {
    const body = {
      name: id,
      schedule: { expression: "rate(1 minute)" },
      targets: { ids: ["orders"] },
      retention,
    };
    const existing = await h.call("GET", `/v1/policies/${id}`);
    const r =
      existing.status === 200
        ? await h.call("PUT", `/v1/policies/${id}`, { body })
        : await h.call("POST", "/v1/policies", { body: { id, ...body } });
    if (r.status !== 200 && r.status !== 201) throw new Error(`policy: ${r.body}`);
  }

  it("expires, as soon as a backup is AVAILABLE, the one its policy no longer keeps", async () => {
    await policy("keep-one", { last: 1 });
    const first = await scheduledBackup(h, "keep-one");
    expect(await status(first)).toBe("AVAILABLE");

    const second = await scheduledBackup(h, "keep-one");

    // poll-backup settled the second AVAILABLE, re-planned, and started the first's deletion.
    expect(await status(second)).toBe("AVAILABLE");
    expect(await h.container.backups.get(first)).toMatchObject({
      status: "DELETED",
      deleteReason: "retention policy keep-one",
    });
  });

  it("finishes what settling AVAILABLE started when a later step failed (record-failure)", async () => {
    await policy("keep-one", { last: 10 });
    const older = await scheduledBackup(h, "keep-one");
    const newer = await scheduledBackup(h, "keep-one");
    await policy("keep-one", { last: 1, keepDays: 1 });
    await h.container.expiry.remove(newer);
    h.clock.advance(2 * 86_400_000);

    // What Step Functions does when a step after PollBackup fails for good.
    const result = await h.invoke("record-failure", {
      backupId: newer,
      execution: `create-backup-${newer}`,
      error: { Error: "States.TaskFailed", Cause: "a step after settling failed" },
    });
    await h.starter.idle();

    expect(result).toEqual({ status: "AVAILABLE" });
    expect(await status(newer)).toBe("AVAILABLE");
    expect(await status(older)).toBe("DELETED");
    const markers = await h.container.expiry.due(
      new Date(h.clock.now().getTime() + 31 * 86_400_000),
    );
    expect(markers.map((m) => m.backupId)).toContain(newer);
  });

  it("re-arms the marker of an expired backup a guard still keeps (expiry stream), then expires it", async () => {
    const soon = new Date(h.clock.now().getTime() + MINUTE).toISOString();
    const only = await h.call("POST", "/v1/targets/search/backups", { body: { expiresAt: soon } });
    await h.starter.idle();
    h.clock.advance(2 * MINUTE);

    // The newest AVAILABLE backup of a target is never removed: the marker comes back later.
    await fireExpiryMarkers(h);
    expect(await status(only.json.id)).toBe("AVAILABLE");
    const [rearmed] = (
      await h.container.expiry.due(new Date(h.clock.now().getTime() + 2 * 3_600_000))
    ).filter((m) => m.backupId === only.json.id);
    expect(Date.parse(rearmed!.dueAt)).toBeGreaterThan(h.clock.now().getTime());
    expect(rearmed!.reason).toMatch(/^re-check: newest-available/);

    // Once a newer backup lands, the guard has lifted: the target is looked at again at
    // once, and the backup past its expiry goes without waiting for its re-armed marker.
    await h.call("POST", "/v1/targets/search/backups");
    await h.starter.idle();
    expect(await status(only.json.id)).toBe("DELETED");
  });

  it("re-arms a due marker the sweeper finds for a backup a guard keeps, and removes the due one", async () => {
    const soon = new Date(h.clock.now().getTime() + MINUTE).toISOString();
    const held = await h.call("POST", "/v1/targets/search/backups", { body: { expiresAt: soon } });
    await h.starter.idle();
    await h.call("PUT", `/v1/backups/${held.json.id}/hold`, { body: { reason: "audit" } });
    h.clock.advance(2 * MINUTE);

    await h.container.sweeper.sweep();
    await h.starter.idle();

    expect(await status(held.json.id)).toBe("AVAILABLE");
    const mine = (
      await h.container.expiry.due(new Date(h.clock.now().getTime() + 2 * 3_600_000))
    ).filter((m) => m.backupId === held.json.id);
    expect(mine).toHaveLength(1);
    expect(Date.parse(mine[0]!.dueAt)).toBeGreaterThan(h.clock.now().getTime());
    await h.call("DELETE", `/v1/backups/${held.json.id}/hold`);
  });

  it("writes the expiry marker when a retried poll finds the backup already AVAILABLE", async () => {
    // The marker's write fails for good, the SDK's retries included: the task fails after
    // settling AVAILABLE, and the state machine's retry of the poll must write it.
    h.functions.aws.fail("dynamodb:PutItem", "ProvisionedThroughputExceededException", {
      times: 3,
      when: (input) => String((input.Item as { pk?: { S?: string } })?.pk?.S).startsWith("EXPIRY#"),
    });
    const expiresAt = new Date(h.clock.now().getTime() + 60 * MINUTE).toISOString();
    const before = h.functions.aws.faultsAnswered;
    const a = await h.call("POST", "/v1/targets/search/backups", { body: { expiresAt } });
    await h.starter.idle();
    expect(h.functions.aws.faultsAnswered - before).toBe(3);
    expect(await status(a.json.id)).toBe("AVAILABLE");
    const due = await h.container.expiry.due(new Date(h.clock.now().getTime() + 2 * 60 * MINUTE));
    expect(due.map((m) => m.backupId)).toContain(a.json.id);
  });

  it("removes a target deleted with backups=expire once the last of its backups is gone", async () => {
    await h.zillizTarget("retiring", onSecondCluster(h));
    await h.call("POST", "/v1/targets/retiring/backups");
    await h.starter.idle();

    const deleted = await h.call("DELETE", "/v1/targets/retiring?backups=expire");
    expect(deleted.status).toBe(202);
    await h.starter.idle();
    expect((await h.call("GET", "/v1/targets/retiring")).status).toBe(200);

    const summary = await h.container.sweeper.sweep();

    expect(summary.retiredTargets).toBe(1);
    expect((await h.call("GET", "/v1/targets/retiring")).status).toBe(404);
  });
});
