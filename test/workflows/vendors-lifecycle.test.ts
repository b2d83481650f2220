import { describe, expect, it } from "vitest";
import { useLocalStack } from "../support/use-local-stack.ts";

/*
 * Every vendor through both workflows on the local runtime: a backup to AVAILABLE, then
 * its deletion to a DELETED tombstone. Vendors delete asynchronously (Pinecone, Huawei), so
 * this is also where delete-backup polls a vendor until the backup is gone.
 */
describe("every vendor: create, AVAILABLE, delete, DELETED", () => {
  const stack = useLocalStack();

  async function until(id: string, status: string) {
    for (let i = 0; i < 300; i++) {
      const record = (await stack.request("GET", `/v1/backups/${id}`)).json;
      if (record.status === status) return record;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${id} never reached ${status}`);
  }

  it.concurrent.each(["demo-zilliz", "demo-pinecone", "demo-huawei-taurusdb", "demo-huawei-dcs"])(
    "%s: backs up and deletes at the vendor",
    async (target) => {
      const created = await stack.request("POST", `/v1/targets/${target}/backups`, { body: "{}" });
      expect(created.status).toBe(202);
      const available = await until(created.json.id, "AVAILABLE");
      expect(available.providerBackupId).toBeDefined();

      const deleting = await stack.request("DELETE", `/v1/backups/${created.json.id}`);
      expect(deleting.status).toBe(202);
      const deleted = await until(created.json.id, "DELETED");

      expect(deleted.deletedAt).toBeDefined();
    },
  );
});
