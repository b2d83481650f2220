import { describe, expect, it } from "vitest";
import { useCliStack, warden } from "./cli-harness.ts";

describe("warden restore", () => {
  const { stack, env } = useCliStack();

  async function available(target: string): Promise<string> {
    const created = await warden(["backup", "create", target, "--wait", "--quiet"], { env });
    expect(created.code).toBe(0);
    return created.stdout.trim();
  }

  it("restores into a new index and follows it to RESTORED", async () => {
    const backupId = await available("demo-pinecone");
    const run = await warden(["restore", backupId, "--to", "indexName=cli-copy"], { env });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/restores into a new resource/);
    expect(run.stderr).toMatch(/RESTORING|PENDING/);
    expect(run.stdout).toMatch(
      new RegExp(`^RESTORED  rs_\\S+  backup ${backupId}  into cli-copy  in `),
    );
  });

  it("shows what an overwrite replaces, asks, and does nothing when told no", async () => {
    const backupId = await available("demo-huawei-dcs");
    const target = (await stack.request("GET", "/v1/targets/demo-huawei-dcs")).json;
    const to = `instanceId=${target.resource.instanceId}`;
    const questions: string[] = [];
    const declined = await warden(["restore", backupId, "--to", to], {
      env,
      confirm: async (q) => {
        questions.push(q);
        return false;
      },
    });
    expect(declined.code).toBe(0);
    expect(declined.stderr).toContain(`OVERWRITES`);
    expect(declined.stderr).toContain(target.resource.instanceId);
    expect(declined.stderr).toMatch(/nothing was changed/);
    expect(questions).toHaveLength(1);
    expect((await stack.request("GET", `/v1/restores?backupId=${backupId}`)).json.items).toEqual(
      [],
    );

    // Where nobody can be asked, an overwrite needs --yes.
    const unasked = await warden(["restore", backupId, "--to", to], { env });
    expect(unasked.code).toBe(2);
    expect(unasked.stderr).toMatch(/pass --yes/);

    const confirmed = await warden(["restore", backupId, "--to", to, "--yes", "--json"], { env });
    expect(confirmed.code).toBe(0);
    expect(JSON.parse(confirmed.stdout)).toMatchObject({ status: "RESTORED", backupId });
  });

  it("says what is wrong with a destination, and exits non-zero", async () => {
    const backupId = await available("demo-pinecone");
    const bad = await warden(["restore", backupId, "--to", "clusterName=x"], { env });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/destination/);
    const notJson = await warden(["restore", backupId, "--to", "{nope"], { env });
    expect(notJson.code).toBe(2);
  });
});
