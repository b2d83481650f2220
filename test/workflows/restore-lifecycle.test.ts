import { describe, expect, it } from "vitest";
import { useLocalStack } from "../support/use-local-stack.ts";

/*
 * Restores on the local runtime, as `npm start` runs them: the API, the restore-backup
 * workflow (real ASL), the preview-restore function and the vendor simulators. A backup of
 * each demo target is made, then restored; a restore that overwrites needs its preview's
 * token.
 */
describe("restore: a demo backup back to its vendor", () => {
  const stack = useLocalStack();

  async function until(path: string, done: (r: Record<string, unknown>) => boolean) {
    for (let i = 0; i < 400; i++) {
      const record = (await stack.request("GET", path)).json;
      if (done(record)) return record;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${path} never got there`);
  }

  async function availableBackup(target: string): Promise<string> {
    const created = await stack.request("POST", `/v1/targets/${target}/backups`, { body: "{}" });
    expect(created.status).toBe(202);
    await until(`/v1/backups/${created.json.id}`, (r) => r.status === "AVAILABLE");
    return created.json.id;
  }

  const restore = (backupId: string, body: unknown, query = "") =>
    stack.request("POST", `/v1/backups/${backupId}/restores${query}`, {
      body: JSON.stringify(body),
    });

  it("restores a Pinecone backup into a new index, and the backup cannot be deleted meanwhile", async () => {
    const backupId = await availableBackup("demo-pinecone");
    const destination = { indexName: "restored-demo" };

    // A preview of a new resource: nothing overwritten, no token needed.
    const preview = await restore(backupId, { destination }, "?dryRun=true");
    expect(preview.status).toBe(200);
    expect(preview.json).toMatchObject({ restoresInto: "new", backupId });
    expect(preview.json.confirmationToken).toBeUndefined();

    const accepted = await restore(backupId, { destination });
    expect(accepted.status).toBe(202);
    expect(accepted.json).toMatchObject({ status: "PENDING", backupId, destination });
    expect(accepted.headers.get("location")).toBe(`/v1/restores/${accepted.json.id}`);

    // While it runs, the backup is kept: delete answers 409 with the reason.
    const refused = await stack.request("DELETE", `/v1/backups/${backupId}`);
    expect(refused.status).toBe(409);
    expect(refused.json.detail).toMatch(/being restored/);

    const restored = await until(
      `/v1/restores/${accepted.json.id}`,
      (r) => r.status === "RESTORED" || r.status === "RESTORE_FAILED",
    );
    expect(restored).toMatchObject({
      status: "RESTORED",
      providerResourceId: "restored-demo",
      createdResource: true,
      progress: 100,
    });
    expect((restored.history as { status: string }[]).map((h) => h.status)).toEqual([
      "PENDING",
      "RESTORING",
      "RESTORED",
    ]);
    const listed = await stack.request("GET", `/v1/restores?backupId=${backupId}`);
    expect(listed.json.items.map((r: { id: string }) => r.id)).toEqual([accepted.json.id]);

    // Settled: the backup's mark is lifted, so it may be deleted again.
    const backup = (await stack.request("GET", `/v1/backups/${backupId}`)).json;
    expect(backup.restoringBy).toBeUndefined();

    // The same name again is the caller's mistake, told before anything starts.
    const taken = await restore(backupId, { destination }, "?dryRun=true");
    expect(taken.status).toBe(422);
  });

  it("restores a Zilliz cluster backup into a new cluster named after the destination", async () => {
    const backupId = await availableBackup("demo-zilliz");
    const accepted = await restore(backupId, {
      destination: { clusterName: "restored-demo", cuSize: 1 },
    });
    expect(accepted.status).toBe(202);
    const restored = await until(
      `/v1/restores/${accepted.json.id}`,
      (r) => r.status === "RESTORED" || r.status === "RESTORE_FAILED",
    );
    expect(restored.status).toBe("RESTORED");
    expect(restored.createdResource).toBe(true);
    // Zilliz keeps nothing of ours on a cluster but its name: the restore's id ends it.
    expect(restored.providerResourceId).toMatch(/^in\d+-/);
  });

  it("restores a TaurusDB backup into a new instance shaped like the source", async () => {
    const backupId = await availableBackup("demo-huawei-taurusdb");
    const accepted = await restore(backupId, { destination: { instanceName: "restored-demo" } });
    expect(accepted.status).toBe(202);
    const restored = await until(
      `/v1/restores/${accepted.json.id}`,
      (r) => r.status === "RESTORED" || r.status === "RESTORE_FAILED",
    );
    expect(restored).toMatchObject({ status: "RESTORED", createdResource: true });
    // The new instance's root password is random and kept nowhere: not on the record.
    expect(JSON.stringify(restored)).not.toMatch(/password/i);
  });

  it("restores a DCS backup over its instance only with the preview's token, used once", async () => {
    const backupId = await availableBackup("demo-huawei-dcs");
    const target = (await stack.request("GET", "/v1/targets/demo-huawei-dcs")).json;
    const destination = { instanceId: target.resource.instanceId };

    // Without a token: refused, saying what would be overwritten; nothing is started.
    const refused = await restore(backupId, { destination });
    expect(refused.status).toBe(428);
    expect(refused.json.detail).toMatch(/overwrites/);
    expect(refused.json.detail).toContain(target.resource.instanceId);
    expect((await stack.request("GET", `/v1/restores?backupId=${backupId}`)).json.items).toEqual(
      [],
    );

    const preview = await restore(backupId, { destination }, "?dryRun=true");
    expect(preview.status).toBe(200);
    expect(preview.json).toMatchObject({ restoresInto: "existing" });
    expect(preview.json.overwrites.resourceId).toBe(target.resource.instanceId);
    const token = preview.json.confirmationToken as string;
    expect(Date.parse(preview.json.expiresAt) - Date.now()).toBeGreaterThan(9 * 60_000);

    // A token is bound to its destination: another one (even a refused one) does not take it.
    const elsewhere = await restore(backupId, {
      destination: { ...destination, remark: "another" },
      confirmationToken: token,
    });
    expect(elsewhere.status).toBe(422);

    const accepted = await restore(backupId, { destination, confirmationToken: token });
    expect(accepted.status).toBe(202);
    expect(accepted.json.overwrites.resourceId).toBe(target.resource.instanceId);
    const restored = await until(
      `/v1/restores/${accepted.json.id}`,
      (r) => r.status === "RESTORED" || r.status === "RESTORE_FAILED",
    );
    expect(restored).toMatchObject({ status: "RESTORED", createdResource: false });

    // Used once: the same token again is refused.
    const again = await restore(backupId, { destination, confirmationToken: token });
    expect(again.status).toBe(422);
    expect(again.json.detail).toMatch(/not valid/);
  });

  it("refuses a destination of the wrong shape for the vendor, changing nothing", async () => {
    const backupId = await availableBackup("demo-pinecone");
    const wrong = await restore(backupId, { destination: { clusterName: "x", cuSize: 1 } });
    expect(wrong.status).toBe(422);
    expect(wrong.headers.get("content-type")).toMatch(/application\/problem\+json/);
    expect(JSON.stringify(wrong.json.errors)).toMatch(/destination/);
    const none = await stack.request("GET", `/v1/restores?backupId=${backupId}`);
    expect(none.json.items).toEqual([]);
    const notABackup = await restore("bk_nope", { destination: { indexName: "x" } });
    expect(notABackup.status).toBe(404);
  });
});
