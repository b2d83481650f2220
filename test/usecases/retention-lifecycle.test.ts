import { describe, expect, it } from "vitest";
import { handler as expiryStream } from "../../functions/handlers/expiry-stream.ts";
import { Keys } from "../../lib/store/keys.ts";
import { resumeInFlight } from "../../lib/usecases/recover.ts";
import { expireDueMarkers } from "../../local/ttl.ts";
import { backupPastItsExpiry, onSecondCluster, useHarness } from "../support/use-harness.ts";

const DAY = 24 * 60 * 60 * 1000;

describe("retention lifecycle: plan, guards, expiry markers, sweeper", () => {
  const ids: string[] = [];
  const h = useHarness({}, async (h) => {
    await h.zillizTarget("orders");
    await h.zillizTarget("search", onSecondCluster(h));
    // Four scheduled backups a minute apart under a policy that keeps everything for now.
    const created = await h.call("POST", "/v1/policies", {
      body: {
        id: "gfs",
        name: "gfs",
        schedule: { expression: "rate(1 minute)" },
        targets: { ids: ["orders"] },
        retention: { last: 10 },
      },
    });
    expect(created.status).toBe(201);
    for (let i = 0; i < 4; i++) {
      const policy = (await h.call("GET", "/v1/policies/gfs")).json;
      h.clock.advance(Date.parse(policy.nextRunAt) - h.clock.now().getTime() + 1_000);
      await h.container.schedule();
      await h.starter.idle();
    }
    const all = (await h.container.backups.list({ targetId: "orders" })).items;
    ids.push(...all.map((b) => b.id).reverse());
  });

  const status = async (id: string) => (await h.container.backups.get(id)).status;
  const executions = () => h.outcomes.length;
  /** Gives the gfs policy other retention rules, the rest of it unchanged. */
  const retainGfs = (retention: Record<string, unknown>, more: Record<string, unknown> = {}) =>
    h.call("PUT", "/v1/policies/gfs", {
      body: {
        name: "gfs",
        schedule: { expression: "rate(1 minute)" },
        targets: { ids: ["orders"] },
        retention,
        ...more,
      },
    });

  it("made four AVAILABLE scheduled backups", async () => {
    expect(ids).toHaveLength(4);
    for (const id of ids) expect(await status(id)).toBe("AVAILABLE");
  });

  it("deletes exactly what the preview said, for keepDays + last", async () => {
    const put = await retainGfs({ last: 2, keepDays: 1 });
    expect(put.status).toBe(200);
    h.clock.advance(2 * DAY);
    const preview = (await h.call("GET", "/v1/policies/gfs/retention-plan")).json;
    const plan = preview.targets[0];
    expect(plan.remove.map((r: { id: string }) => r.id).sort()).toEqual([ids[0], ids[1]].sort());
    expect(plan.keep.find((k: { id: string }) => k.id === ids[3]).reasons).toContain(
      "last snapshot",
    );
    await h.container.sweeper.sweep();
    await h.starter.idle();
    expect(await Promise.all(ids.map(status))).toEqual([
      "DELETED",
      "DELETED",
      "AVAILABLE",
      "AVAILABLE",
    ]);
    const tombstone = await h.container.backups.get(ids[0]!);
    expect(tombstone.deleteReason).toBe("retention policy gfs");
    // Each deletion was announced once, with its rule (events feed Slack).
    await h.functions.outbox.settled();
    for (const id of [ids[0], ids[1]]) {
      const deleted = h.events.filter(
        (e) => e.type === "backup.deleted" && e.detail.backupId === id,
      );
      expect(deleted).toHaveLength(1);
      expect(deleted[0]!.detail).toMatchObject({ reason: "retention policy gfs" });
      expect(
        h.events.filter((e) => e.type === "backup.expiring" && e.detail.backupId === id),
      ).toHaveLength(1);
    }
    const raw = await h.table.db.get({ TableName: h.table.table, Key: Keys.backup(ids[0]!) });
    expect(raw.Item?.ttl).toBeGreaterThan(Date.now() / 1000 + 399 * 86_400);
  });

  it("a second sweeper run deletes nothing more and starts nothing", async () => {
    const before = executions();
    const summary = await h.container.sweeper.sweep();
    await h.starter.idle();
    expect(executions()).toBe(before);
    expect(summary.deleteRetries + summary.resumed + summary.cleanups).toBe(0);
    expect(await Promise.all(ids.map(status))).toEqual([
      "DELETED",
      "DELETED",
      "AVAILABLE",
      "AVAILABLE",
    ]);
  });

  it("never removes a held backup, and refuses to delete it with 409 and the hold's reason", async () => {
    const held = await h.call("PUT", `/v1/backups/${ids[2]}/hold`, {
      body: { reason: "litigation 2026-17" },
    });
    expect(held.status).toBe(200);
    expect(held.json.hold).toMatchObject({ reason: "litigation 2026-17" });
    await retainGfs({ last: 1 });
    const plan = (await h.call("GET", "/v1/policies/gfs/retention-plan")).json.targets[0];
    expect(plan.guarded).toEqual([expect.objectContaining({ id: ids[2], guard: "hold" })]);
    await h.container.sweeper.sweep();
    await h.starter.idle();
    expect(await status(ids[2]!)).toBe("AVAILABLE");
    const refused = await h.call("DELETE", `/v1/backups/${ids[2]}`);
    expect(refused.status).toBe(409);
    expect(refused.json.detail).toContain("litigation 2026-17");
  });

  it("never removes the newest AVAILABLE backup of a target", async () => {
    await h.call("DELETE", `/v1/backups/${ids[2]}/hold`);
    // A rule none of the backups made so far satisfies (only the policy's next backups will
    // carry the tag): the plan removes everything, the guard keeps the newest.
    const put = await retainGfs({ tags: [["never-present"]] }, { backupTags: ["never-present"] });
    expect(put.status).toBe(200);
    const plan = (await h.call("GET", "/v1/policies/gfs/retention-plan")).json.targets[0];
    expect(plan.guarded).toEqual([
      expect.objectContaining({ id: ids[3], guard: "newest-available" }),
    ]);
    await h.container.sweeper.sweep();
    await h.starter.idle();
    expect(await status(ids[2]!)).toBe("DELETED");
    expect(await status(ids[3]!)).toBe("AVAILABLE");
  });

  it("expires an API backup at its own expiry through TTL; a redelivered stream record deletes nothing twice", async () => {
    const expired = await backupPastItsExpiry(h, "search");
    const delivered: unknown[] = [];
    const count = await expireDueMarkers(
      h.container.expiry,
      async (event) => {
        delivered.push(event);
        return expiryStream(event, {} as never);
      },
      h.clock.now(),
    );
    expect(count).toBe(1);
    await h.starter.idle();
    const before = executions();
    await expiryStream(delivered[0], {} as never);
    await h.starter.idle();
    expect(executions()).toBe(before);
    const gone = await h.container.backups.get(expired);
    expect(gone).toMatchObject({ status: "DELETED", deleteReason: "its own expiry (expiresAt)" });
  });

  it("ignores stream records that are not TTL removals of markers", async () => {
    const [record] = (await h.container.backups.list({ targetId: "search", status: "AVAILABLE" }))
      .items;
    const event = {
      Records: [
        {
          eventID: "1",
          eventName: "REMOVE",
          eventVersion: "1.1",
          eventSource: "aws:dynamodb",
          awsRegion: "local",
          eventSourceARN: "arn:aws:dynamodb:local:000000000000:table/t/stream/s",
          // Deleted by us (no TTL identity): must be ignored.
          dynamodb: {
            Keys: { pk: { S: `EXPIRY#${record!.id}` }, sk: { S: "EXPIRY" } },
            OldImage: { entity: { S: "expiry" }, backupId: { S: record!.id } },
            SequenceNumber: "1",
            SizeBytes: 10,
            StreamViewType: "NEW_AND_OLD_IMAGES",
          },
        },
      ],
    };
    const result = await expiryStream(event, {} as never);
    expect(result).toEqual({ batchItemFailures: [] });
    expect(await status(record!.id)).toBe("AVAILABLE");
  });

  it("recovers a crash between EXPIRING and the vendor delete without losing or double-deleting", async () => {
    const made = await h.call("POST", "/v1/targets/search/backups");
    await h.starter.idle();
    // The crash: the record moved to EXPIRING, but no delete workflow ever started.
    await h.container.backups.transition(made.json.id, "EXPIRING", { deleteReason: "test crash" });
    h.clock.advance(16 * 60_000);
    const summary = await h.container.sweeper.sweep();
    await h.starter.idle();
    expect(summary).toMatchObject({ resumed: 1 });
    expect(await status(made.json.id)).toBe("DELETED");
    const again = await h.container.sweeper.sweep();
    expect(again.resumed).toBe(0);
  });

  it("resumes on start a record a crash left EXPIRING, as it does PENDING, CREATING and DELETING", async () => {
    const made = await h.call("POST", "/v1/targets/search/backups");
    await h.starter.idle();
    await h.container.backups.transition(made.json.id, "EXPIRING", { deleteReason: "test crash" });

    const resumed = await resumeInFlight({ backups: h.container.backups, workflows: h.starter });
    await h.starter.idle();

    expect(resumed).toContain(made.json.id);
    expect(await status(made.json.id)).toBe("DELETED");
  });
});

describe("holds and the workflows", () => {
  const h = useHarness({}, (h) => h.zillizTarget("orders"));

  it("can be placed while the workflow moves the record, and then blocks its deletion", async () => {
    const created = await h.call("POST", "/v1/targets/orders/backups");
    const held = await h.call("PUT", `/v1/backups/${created.json.id}/hold`, {
      body: { reason: "audit 2026-Q4" },
    });
    expect(held.status).toBe(200);
    await h.starter.idle();
    const record = (await h.call("GET", `/v1/backups/${created.json.id}`)).json;
    expect(record).toMatchObject({
      status: "AVAILABLE",
      hold: { reason: "audit 2026-Q4", by: "test operator" },
    });
    const refused = await h.call("DELETE", `/v1/backups/${created.json.id}`);
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ status: 409, hold: { reason: "audit 2026-Q4" } });
  });

  it("keeps a late delete workflow from deleting a backup retention no longer expires", async () => {
    const a = await h.call("POST", "/v1/targets/orders/backups");
    await h.starter.idle();
    await h.container.backups.transition(a.json.id, "EXPIRING", {
      deleteReason: "retention policy p",
    });
    // A hold placed and lifted meanwhile puts it back to AVAILABLE, for retention to re-decide.
    await h.call("PUT", `/v1/backups/${a.json.id}/hold`, { body: { reason: "audit" } });
    await h.call("DELETE", `/v1/backups/${a.json.id}/hold`);
    const status = async () => (await h.call("GET", `/v1/backups/${a.json.id}`)).json.status;
    expect(await status()).toBe("AVAILABLE");
    await expect(
      h.container.tasks.deleteProviderBackup({ backupId: a.json.id, reason: "retention policy p" }),
    ).rejects.toThrow(/cannot move from AVAILABLE to DELETING/);
    expect(await status()).toBe("AVAILABLE");
  });
});
