import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { useCliStack, warden } from "./cli-harness.ts";

const EXAMPLE = new URL("../../examples/warden.yaml", import.meta.url);

describe("warden apply -f", () => {
  const { stack, env } = useCliStack();
  const dir = mkdtempSync(join(tmpdir(), "warden-apply-"));
  /** The shipped example, pointed at this stack's simulator (its port is ephemeral here). */
  const example = () =>
    readFileSync(EXAMPLE, "utf8").replace(
      "http://127.0.0.1:8788",
      String(stack.runtime.sandbox.zilliz?.url),
    );
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return name;
  };
  const serverIds = async (what: "targets" | "policies") =>
    (JSON.parse((await warden([what, "--json"], { env })).stdout) as { id: string }[]).map(
      (x) => x.id,
    );

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("shows the diff with --dry-run, exits 6 and changes nothing", async () => {
    const run = await warden(["apply", "-f", file("w.yaml", example()), "--dry-run"], {
      env,
      cwd: dir,
    });

    expect(run.code).toBe(6);
    expect(run.stdout).toMatch(/Targets\n {2}\+ orders +create\n/);
    expect(run.stdout).toContain('      resource.clusterId: "in01-5e1d0a9c3b7f226"');
    expect(run.stdout).toMatch(/Policies\n {2}\+ orders-hourly +create\n/);
    expect(run.stdout).toContain("Plan: 2 to create, 0 to update, 0 to delete, 0 unchanged.");
    expect(await serverIds("targets")).not.toContain("orders");
    expect(await serverIds("policies")).toEqual([]);
  });

  it("does not apply without --yes when there is no terminal to confirm on", async () => {
    const run = await warden(["apply", "-f", file("w.yaml", example())], { env, cwd: dir });

    expect(run.code).toBe(2);
    expect(run.stderr).toContain("not applying: there is no terminal to confirm on");
    expect(await serverIds("targets")).not.toContain("orders");
  });

  it("creates with --yes, then a second apply finds everything unchanged", async () => {
    const applied = await warden(["apply", "-f", file("w.yaml", example()), "--yes"], {
      env,
      cwd: dir,
    });
    const again = await warden(["apply", "-f", "w.yaml", "--dry-run"], { env, cwd: dir });

    expect(applied.code).toBe(0);
    expect(applied.stderr).toBe("created target orders\ncreated policy orders-hourly\n");
    expect(await serverIds("policies")).toEqual(["orders-hourly"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/= orders +unchanged/);
    expect(again.stdout).toMatch(/= orders-hourly +unchanged/);
    expect(again.stdout).toContain("No changes.");
  });

  it("updates field by field after a y on the terminal", async () => {
    const changed = example()
      .replace("team: search", "team: ranking")
      .replace("daily: 7", "daily: 14");
    const questions: string[] = [];

    const run = await warden(["apply", "-f", file("changed.yaml", changed)], {
      env,
      cwd: dir,
      confirm: async (question) => {
        questions.push(question);
        return true;
      },
    });

    expect(run.code).toBe(0);
    expect(questions).toEqual(["Apply 2 change(s)?"]);
    expect(run.stdout).toContain('~ orders  update\n      tags.team: "search" -> "ranking"');
    expect(run.stdout).toContain("~ orders-hourly  update\n      retention.daily: 7 -> 14");
    const policy = await warden(["policies", "get", "orders-hourly", "--json"], { env });
    expect(JSON.parse(policy.stdout).retention.daily).toBe(14);
  });

  it("lists deletions explicitly only with --prune", async () => {
    const run = await warden(["apply", "-f", file("w.yaml", example()), "--dry-run", "--prune"], {
      env,
      cwd: dir,
    });

    expect(run.code).toBe(6);
    expect(run.stdout).toMatch(/- demo-zilliz +delete/);
    expect(run.stdout).not.toContain("left alone");
  });

  it("rejects an invalid file before any call, naming file, line and field", async () => {
    const broken = example()
      .replace("clusterId: in01-5e1d0a9c3b7f226", "clusterId: not a cluster!")
      .replace("daily: 7", "dayly: 7");
    const fetched: string[] = [];

    const run = await warden(["apply", "-f", file("broken.yaml", broken), "--yes"], {
      env,
      cwd: dir,
      fetch: async (input, init) => {
        fetched.push(String(input));
        return fetch(input, init);
      },
    });

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /broken\.yaml:13:18 {2}targets\[0\]\.resource\.clusterId: a Zilliz cluster id/,
    );
    expect(run.stderr).toMatch(
      /broken\.yaml:\d+:\d+ {2}policies\[0\]\.retention: Unrecognized key: "dayly"/,
    );
    expect(fetched).toEqual([]);
  });
});
