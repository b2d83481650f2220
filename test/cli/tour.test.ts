import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { useLocalStack } from "../support/use-local-stack.ts";
import { type Run, warden } from "./cli-harness.ts";

const ORDERS_CLUSTER = "in01-5e1d0a9c3b7f226";

/**
 * "The tour with the CLI" (README), command for command, in the project folder layout:
 * the token is read from .warden/token and the example from examples/warden.yaml (its
 * simulator address moved to the test stack's ephemeral port).
 */
describe("the README tour, with the warden CLI alone", () => {
  let simulator: string;
  const project = mkdtempSync(join(tmpdir(), "warden-tour-"));
  let env: Record<string, string>;
  const npx = (line: string[]): Promise<Run> => warden(line, { env, cwd: project });

  useLocalStack({}, async (stack) => {
    simulator = String(stack.runtime.sandbox.zilliz?.url);
    // The project folder: the token where npm start writes it, and the shipped example.
    mkdirSync(join(project, ".warden"));
    writeFileSync(join(project, ".warden", "token"), stack.runtime.token);
    mkdirSync(join(project, "examples"));
    const example = readFileSync(new URL("../../examples/warden.yaml", import.meta.url), "utf8");
    writeFileSync(
      join(project, "examples", "warden.yaml"),
      example.replace("http://127.0.0.1:8788", simulator),
    );
    env = { WARDEN_API: `${stack.runtime.url}/v1` };
  });
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it("runs from health to a deleted backup, then watches a failure", async () => {
    const health = await npx(["health"]);
    expect(health.stdout).toMatch(/^ok /);
    expect((await npx(["targets"])).stdout).toContain("demo-zilliz");

    const plan = await npx(["apply", "-f", "examples/warden.yaml", "--dry-run"]);
    expect(plan.code).toBe(6);
    expect((await npx(["apply", "-f", "examples/warden.yaml", "--yes"])).code).toBe(0);
    expect((await npx(["policies"])).stdout).toMatch(/orders-hourly +0 \* \* \* \* UTC +orders/);
    // Every target against its freshness objective: orders has had no backup yet, but is
    // given its objective's time for a first one.
    const status = await npx(["status"]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^orders +zilliz +fresh +2h \(policy:orders-hourly\) +none /m);

    const created = await npx([
      "backup",
      "create",
      "orders",
      "--idempotency-key",
      "tour-1",
      "--quiet",
    ]);
    const backup = created.stdout.trim();
    expect(backup).toMatch(/^bk_\w+$/);
    const busy = await npx(["backup", "create", "orders"]);
    expect(busy.code).toBe(3);
    expect(busy.stderr).toContain("HTTP 409");

    const waited = await npx(["backup", "wait", backup]);
    expect(waited.code).toBe(0);
    expect(waited.stderr).toMatch(/PENDING[\s\S]*AVAILABLE/);
    expect(waited.stdout).toMatch(new RegExp(`^AVAILABLE {2}${backup} {2}target orders`));

    const retention = await npx(["retention", "plan", "--policy", "orders-hourly"]);
    expect(retention.stdout).toContain("orders: keep 0, remove 0");
    const listed = await npx(["backups", "ls", "--target", "orders", "--json"]);
    writeFileSync(join(project, "backups.json"), listed.stdout);
    const audit = await npx([
      "retention",
      "plan",
      "--backups",
      "backups.json",
      "--policy-json",
      '{"last":2}',
      "--json",
    ]);
    expect(audit.code).toBe(0);
    expect(JSON.parse(audit.stdout)).toEqual({
      keep: [{ id: backup, reasons: ["last snapshot"] }],
      remove: [],
    });

    expect((await npx(["hold", backup, "--reason", "audit 2026"])).code).toBe(0);
    const refused = await npx(["backup", "rm", backup]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain("legal hold");
    expect((await npx(["unhold", backup])).code).toBe(0);

    const copied = await npx(["restore", backup, "--to", "clusterName=orders-copy,cuSize=1"]);
    expect(copied.code).toBe(0);
    expect(copied.stdout).toMatch(new RegExp(`^RESTORED {2}rs_\\w+ {2}backup ${backup}`));
    const dcs = (await npx(["backup", "create", "demo-huawei-dcs", "--wait", "--quiet"])).stdout;
    const over = await npx([
      "restore",
      dcs.trim(),
      "--to",
      "instanceId=3d2b5a8e-7c41-4f0e-9b6a-1e2f3a4b5c6d",
      "--yes",
    ]);
    expect(over.code).toBe(0);
    expect(over.stderr).toMatch(/OVERWRITES .*3d2b5a8e-7c41-4f0e-9b6a-1e2f3a4b5c6d/);
    expect(over.stdout).toMatch(/^RESTORED /);

    const removed = await npx(["backup", "rm", backup, "--wait"]);
    expect(removed.stdout).toMatch(new RegExp(`^DELETED {2}${backup}`));
    expect((await npx(["backup", "history", backup])).stdout).toMatch(/DELETING[\s\S]*DELETED/);
    const deleted = await npx([
      "backups",
      "ls",
      "--target",
      "orders",
      "--status",
      "DELETED",
      "--limit",
      "10",
    ]);
    expect(deleted.stdout).toMatch(new RegExp(`${backup} +orders +DELETED `));

    const missing = await npx(["backup", "create", "no-such-target"]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain("target no-such-target does not exist (HTTP 404 NOT_FOUND)");

    const fault = await npx([
      "sandbox",
      "fault",
      "--reason",
      "insufficient storage in region",
      "--cluster",
      ORDERS_CLUSTER,
      "--url",
      simulator,
    ]);
    expect(fault.code).toBe(0);
    const failed = await npx(["backup", "create", "orders", "--wait"]);
    expect(failed.code).toBe(5);
    expect(failed.stdout).toMatch(/^FAILED .*reason: .*insufficient storage in region/);
  });
});
