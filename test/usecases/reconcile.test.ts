import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BackupRecord } from "../../lib/core/backup.ts";
import { PINECONE_API_VERSION } from "../../lib/providers/pinecone/adapter.ts";
import { ourLabel } from "../../lib/providers/port.ts";
import { Keys } from "../../lib/store/keys.ts";
import { allRecords, type FaultWorld, inventory, startFaultWorld } from "../faults/fault-world.ts";

/*
 * The reconciler against the four vendor simulators (no faults here; the fault-injection
 * suite runs it under faults): what it reports, what it does, and what it never touches.
 * Orphans are due at once in this world (WARDEN_ORPHAN_GRACE_HOURS=0).
 */

let world: FaultWorld;
const vendor = (provider: string) => world.vendors.find((v) => v.demoTarget.provider === provider)!;
const resource = (provider: string) =>
  vendor(provider).demoTarget.resource as Record<string, string>;

beforeAll(async () => {
  world = await startFaultWorld({ seed: 1, rate: 0, timeoutMs: 2_000 });
  world.calm();
  for (const v of world.vendors) {
    const created = await world.api("POST", "/v1/targets", { body: v.demoTarget });
    expect(created.status).toBe(201);
  }
}, 60_000);
afterAll(() => world.close());

async function backupOf(targetId: string): Promise<BackupRecord> {
  const made = await world.api("POST", `/v1/targets/${targetId}/backups`);
  expect(made.status).toBe(202);
  await world.quiesce();
  return (await world.store.backups.get(made.json.id)) as BackupRecord;
}

describe("the reconciler", () => {
  it("shows what it would do in a dry run, and does nothing", async () => {
    const orphan = vendor("huawei-dcs").simulator.seedBackup({
      instanceId: resource("huawei-dcs").instanceId,
      remark: ourLabel("bk_01jzzzzzzzzzzzzzzzzzzzzzzz"),
    });
    const auto = vendor("zilliz").simulator.seedBackup({
      clusterId: resource("zilliz").clusterId,
      creationMethod: "AUTO",
    });

    const dcs = await world.api("GET", "/v1/targets/demo-huawei-dcs/reconciliation");
    const zilliz = await world.api("GET", "/v1/targets/demo-zilliz/reconciliation");

    expect(dcs.status).toBe(200);
    expect(dcs.json).toMatchObject({
      targetId: "demo-huawei-dcs",
      dryRun: true,
      differences: [
        {
          kind: "orphan",
          providerBackupId: orphan,
          ownerBackupId: "bk_01jzzzzzzzzzzzzzzzzzzzzzzz",
          reason: expect.stringMatching(/which no record has/),
        },
      ],
    });
    expect(zilliz.json.differences).toMatchObject([
      { kind: "unmanaged", providerBackupId: auto, reason: "made by the vendor's own schedule" },
    ]);
    expect(await allRecords(world.store)).toEqual([]);
  });

  it("records the orphan and imports the unmanaged backup, then deletes only the orphan", async () => {
    const applied = await world.api("POST", "/v1/targets/demo-huawei-dcs/reconciliation");
    await world.api("POST", "/v1/targets/demo-zilliz/reconciliation");
    await world.quiesce();
    const orphanId = applied.json.differences[0].backupId as string;
    const orphan = await world.store.backups.get(orphanId);
    expect(orphan).toMatchObject({ origin: "orphan", trigger: "adopted", status: "AVAILABLE" });
    expect(world.sink.messages.map((m) => JSON.stringify(m.payload)).join()).toContain(
      `Orphaned vendor backup found`,
    );

    // Its grace is over (0 h here): the next pass deletes it, and only it.
    const again = await world.api("POST", "/v1/targets/demo-huawei-dcs/reconciliation");
    expect(again.json.differences).toMatchObject([{ kind: "orphan-due", backupId: orphanId }]);
    await world.quiesce();
    expect(await world.store.backups.get(orphanId)).toMatchObject({
      status: "DELETED",
      deleteReason: expect.stringMatching(/^orphan: carries our id/),
    });
    const unmanaged = (await allRecords(world.store)).find((r) => r.origin === "unmanaged")!;
    expect(unmanaged).toMatchObject({ status: "AVAILABLE", targetId: "demo-zilliz" });
    expect(inventory(world).map((b) => b.backupId)).toContain(unmanaged.providerBackupId);
    expect(
      (await world.api("GET", "/v1/targets/demo-zilliz/reconciliation")).json.differences,
    ).toEqual([]);
  });

  it("calls a second vendor backup carrying a record's id a duplicate, and never touches a foreign one", async () => {
    const record = await backupOf("demo-pinecone");
    const duplicate = vendor("pinecone").simulator.seedBackup({
      indexName: resource("pinecone").indexName,
      description: ourLabel(record.id),
    });
    const theirs = vendor("pinecone").simulator.seedBackup({
      indexName: resource("pinecone").indexName,
      name: "nightly-by-ops",
    });

    const found = await world.api("GET", "/v1/targets/demo-pinecone/reconciliation");

    expect(found.json.differences).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: "orphan",
          providerBackupId: duplicate,
          reason: `a duplicate of ${record.id}, whose vendor backup is ${record.providerBackupId}`,
        }),
        expect.objectContaining({ kind: "unmanaged", providerBackupId: theirs }),
      ]),
    );
  });

  it("marks a record whose vendor backup vanished, and announces it", async () => {
    const record = await backupOf("demo-pinecone");
    // Someone deletes it in the vendor's console, behind our back.
    const { url } = vendor("pinecone").simulator;
    const secret = vendor("pinecone").secret.value as { apiKey: string };
    const deleted = await fetch(`${url}/backups/${record.providerBackupId}`, {
      method: "DELETE",
      headers: { "api-key": secret.apiKey, "x-pinecone-api-version": PINECONE_API_VERSION },
    });
    expect(deleted.status).toBe(202);
    await sleep(300); // the simulator's delete takes 100 ms
    // As if the record had settled a while ago (a listing right after a create may lag).
    await world.table.db.update({
      TableName: world.table.table,
      Key: Keys.backup(record.id),
      UpdateExpression: "SET updatedAt = :t",
      ExpressionAttributeValues: { ":t": new Date(Date.now() - 10 * 60_000).toISOString() },
    });

    const applied = await world.api("POST", "/v1/targets/demo-pinecone/reconciliation");
    await world.quiesce();

    expect(applied.json.differences).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: "vanished", backupId: record.id })]),
    );
    expect(await world.store.backups.get(record.id)).toMatchObject({
      status: "DELETED",
      vanishedAt: expect.any(String),
    });
    const texts = world.sink.messages.map((m) => JSON.stringify(m.payload)).join();
    expect(texts).toContain("Backup vanished at the vendor");
    expect(texts).toContain(record.id);
  });

  it("answers 404 for a target that does not exist, without asking any vendor", async () => {
    const missing = await world.api("GET", "/v1/targets/nope/reconciliation");
    expect(missing.status).toBe(404);
    expect((await world.api("GET", "/v1/targets/NOT_AN_ID/reconciliation")).status).toBe(404);
  });
});
