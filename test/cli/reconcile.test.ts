import { describe, expect, it } from "vitest";
import { sandboxAdmin } from "../support/sandbox-admin.ts";
import { useCliStack, warden } from "./cli-harness.ts";

/** `warden reconcile` against `npm start`, with vendor backups made through the admin API. */
describe("warden reconcile", () => {
  const { stack, env } = useCliStack();
  const admin = async (vendor: string, body: object) => {
    const sim = {
      url: String(stack.runtime.sandbox[vendor]?.url),
      adminToken: stack.runtime.token,
    };
    const made = await sandboxAdmin(sim, "POST", "/__sandbox/backups", body);
    expect(made.status).toBe(201);
    return ((await made.json()) as { backupId: string }).backupId;
  };

  it("shows an orphan and an unmanaged backup in a dry run, then records them", async () => {
    const dcs = stack.runtime.sandbox["huawei-dcs"] as {
      instances: Array<{ id: string; mode: string }>;
    };
    const instanceId = dcs.instances.find((i) => i.mode !== "single")!.id;
    const orphan = await admin("huawei-dcs", {
      instanceId,
      remark: "backup-warden bk_01jzzzzzzzzzzzzzzzzzzzzzzz",
    });
    const auto = await admin("zilliz", {
      clusterId: "in01-7b3f9c2e5a1d804",
      creationMethod: "AUTO",
    });

    const dry = await warden(["reconcile", "--dry-run"], { env });

    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(
      new RegExp(`orphan +${orphan}, carries bk_01jzzzzzzzzzzzzzzzzzzzzzzz`),
    );
    expect(dry.stdout).toMatch(/would: record as an orphan; delete it after /);
    expect(dry.stdout).toMatch(new RegExp(`unmanaged +${auto}`));
    expect(dry.stdout).toMatch(/would: import as an unmanaged backup \(never deleted by us\)/);
    expect(dry.stdout).toMatch(/2 differences across 4 targets \(dry run: nothing was changed\)/);
    expect((await warden(["backups", "ls", "--json"], { env })).stdout.trim()).toBe("[]");

    const applied = await warden(["reconcile", "--target", "demo-huawei-dcs", "--json"], { env });

    expect(applied.code).toBe(0);
    const result = JSON.parse(applied.stdout) as { differences: Array<{ backupId: string }> };
    const listed = await warden(["backups", "ls"], { env });
    expect(listed.stdout).toContain(result.differences[0]!.backupId);
    expect(listed.stdout).toMatch(/adopted \(orphan\)/);
  });
});
