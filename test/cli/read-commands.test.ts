import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { deadApiUrl, useCliStack, warden } from "./cli-harness.ts";

describe("warden read commands against the local runtime", () => {
  const { stack, env } = useCliStack();

  it("prints the targets as the API's JSON with targets ls --json", async () => {
    const run = await warden(["targets", "ls", "--json"], { env });

    expect(run.code).toBe(0);
    const targets = JSON.parse(run.stdout) as Array<{ id: string; provider: string }>;
    expect(targets.map((t) => t.id)).toContain("demo-zilliz");
    expect(targets.find((t) => t.id === "demo-zilliz")?.provider).toBe("zilliz");
  });

  it("prints targets as an aligned table by default", async () => {
    const run = await warden(["targets"], { env });

    expect(run.code).toBe(0);
    const [header, ...rows] = run.stdout.trimEnd().split("\n");
    expect(header).toMatch(/^ID\s+PROVIDER\s+RESOURCE\s+SECRET\s+TAGS$/);
    const demo = rows.find((r) => r.startsWith("demo-zilliz "));
    expect(demo).toMatch(/zilliz\s+in01-7b3f9c2e5a1d804\s+sandbox\/zilliz\s+env=sandbox/);
    expect(header!.indexOf("PROVIDER")).toBe(demo!.indexOf("zilliz", "demo-zilliz".length));
  });

  it("reads the token from .warden/token under the working folder when no flag or variable is set", async () => {
    const run = await warden(["targets", "get", "demo-zilliz", "--json"], {
      env: { WARDEN_API: env.WARDEN_API, WARDEN_DATA_DIR: stack.dataDir },
    });

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ id: "demo-zilliz" });
  });

  it("exits 3 with the problem's detail and field errors when the API answers 4xx", async () => {
    const missing = await warden(["backup", "create", "no-such-target"], { env });
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain("target no-such-target does not exist");

    const invalid = await warden(["hold", "bk_x", "--reason", " "], { env });
    expect(invalid.code).toBe(3);
    expect(invalid.stderr).toMatch(/invalid hold.*\n\s+reason: /);
  });

  it("exits 3 and never echoes the token when the token is wrong", async () => {
    const token = "a-wrong-token-of-enough-length";
    const run = await warden(["targets"], { env: { ...env, WARDEN_TOKEN: token } });

    expect(run.code).toBe(3);
    expect(run.stderr).toContain("HTTP 401");
    expect(run.stderr + run.stdout).not.toContain(token);
  });

  it("exits 4 when nothing answers at the API URL", async () => {
    const run = await warden(["targets"], { env: { ...env, WARDEN_API: await deadApiUrl() } });

    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(
      /cannot reach the API at http:\/\/127\.0\.0\.1:\d+\/v1 \(ECONNREFUSED\)/,
    );
  });

  it("exits 2 on usage errors without calling the API", async () => {
    const unknownFlag = await warden(["backups", "--colour"], { env });
    const badStatus = await warden(["backups", "--status", "done"], { env });
    const missingArg = await warden(["backup", "get"], { env });

    expect([unknownFlag.code, badStatus.code, missingArg.code]).toEqual([2, 2, 2]);
    expect(unknownFlag.stderr).toContain("--colour");
    expect(badStatus.stderr).toContain("--status must be one of PENDING");
    expect(missingArg.stderr).toContain("missing <backup-id>");
  });

  it("documents the exit codes in warden help and each command's flags in --help", async () => {
    const help = await warden(["help"]);
    const backupHelp = await warden(["backup", "--help"]);

    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/exit codes:[\s\S]*\n {2}5 +--wait ended with the backup FAILED/);
    expect(backupHelp.stdout).toContain("--idempotency-key K");
  });

  it("says so clearly when the server has no such route", async () => {
    const run = await warden(["backup", "history", "bk_x", "--api", `${stack.runtime.url}/v0`], {
      env,
    });

    expect(run.code).toBe(3);
    expect(run.stderr).toContain("this API has no GET /backups/bk_x/history");
  });

  it("prints the problem document as JSON on stderr under --json, for scripts", async () => {
    const run = await warden(["backup", "get", "bk_missing", "--json"], { env });

    expect(run.code).toBe(3);
    expect(run.stdout).toBe("");
    expect(JSON.parse(run.stderr)).toMatchObject({ status: 404, code: "NOT_FOUND" });
  });

  it("registers a target from a YAML file and deletes it again", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "warden-targets-"));
    onTestFinished(() => rmSync(cwd, { recursive: true, force: true }));
    writeFileSync(
      join(cwd, "t.yaml"),
      [
        "id: scratch",
        "name: Scratch",
        "provider: zilliz",
        "secretRef: sandbox/zilliz",
        "resource: { clusterId: in01-7b3f9c2e5a1d804, baseUrl: " +
          String(stack.runtime.sandbox.zilliz?.url) +
          " }",
      ].join("\n"),
    );

    const added = await warden(["targets", "add", "--file", "t.yaml"], { env, cwd });
    const shown = await warden(["targets", "get", "scratch"], { env });
    const removed = await warden(["targets", "rm", "scratch"], { env });
    const gone = await warden(["targets", "get", "scratch"], { env });

    expect([added.code, shown.code, removed.code, gone.code]).toEqual([0, 0, 0, 3]);
    expect(added.stdout).toBe("created target scratch\n");
    expect(shown.stdout).toContain("clusterId: in01-7b3f9c2e5a1d804");
    expect(removed.stdout).toBe("deleted target scratch\n");
  });
});
