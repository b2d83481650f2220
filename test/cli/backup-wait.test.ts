import { describe, expect, it } from "vitest";
import { failNextZillizJob, useCliStack, warden } from "./cli-harness.ts";

const ID = /bk_[0-9a-z]+/;

describe("warden backup create --wait", () => {
  const { stack, env } = useCliStack();

  it("follows a backup to AVAILABLE with one plain line per status change off a terminal", async () => {
    const run = await warden(["backup", "create", "demo-zilliz", "--wait", "--interval", "0.1"], {
      env,
    });

    expect(run.code).toBe(0);
    const id = ID.exec(run.stdout)?.[0];
    expect(run.stdout).toMatch(
      new RegExp(
        `^AVAILABLE {2}${id} {2}target demo-zilliz {2}in \\d+\\.\\ds {2}size [\\d.]+ \\w+\\n$`,
      ),
    );
    const statuses = run.stderr
      .trimEnd()
      .split("\n")
      .map((line) => line.split(/\s+/)[2]);
    expect(statuses[0]).toBe("PENDING");
    expect(statuses.at(-1)).toBe("AVAILABLE");
    expect(new Set(statuses).size).toBe(statuses.length);
    expect(run.stderr).not.toContain("\r");
  });

  it("exits 5 with the vendor's reason when the backup ends FAILED", async () => {
    await failNextZillizJob(stack.runtime, "insufficient storage in region");

    const run = await warden(["backup", "create", "demo-zilliz", "--wait"], { env });

    expect(run.code).toBe(5);
    expect(run.stdout).toMatch(
      /^FAILED {2}bk_\w+ {2}target demo-zilliz {2}after [\d.]+s {2}reason: .*insufficient storage in region/,
    );
    expect(run.stderr.trimEnd().split("\n").at(-1)).toMatch(/FAILED/);
  });

  it("redraws a single line with a spinner on a terminal and ends with the summary", async () => {
    const run = await warden(["backup", "create", "demo-zilliz", "--wait"], { env, tty: true });

    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain("\n");
    const clear = "\r\u001b[2K";
    const frames = run.stderr.split(clear).filter(Boolean);
    expect(frames.length).toBeGreaterThan(1);
    expect(frames[0]).toMatch(/^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] bk_\w+ +[\d.]+s {2}(PENDING|CREATING)/);
    expect(run.stderr.endsWith(clear)).toBe(true);
    expect(run.stdout).toMatch(/^AVAILABLE /);
  });

  it("replays the same backup for a repeated Idempotency-Key and prints only the id with --quiet", async () => {
    const first = await warden(
      ["backup", "create", "demo-zilliz", "-q", "--idempotency-key", "cli-1"],
      { env },
    );
    const again = await warden(
      ["backup", "create", "demo-zilliz", "-q", "--idempotency-key", "cli-1"],
      { env },
    );

    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^bk_\w+\n$/);
    expect(again.stdout).toBe(first.stdout);
    const waited = await warden(["backup", "wait", first.stdout.trim(), "--json"], { env });
    expect(JSON.parse(waited.stdout)).toMatchObject({
      id: first.stdout.trim(),
      status: "AVAILABLE",
    });
  });

  it("refuses a second backup of a busy resource with exit 3 (409)", async () => {
    const running = await warden(["backup", "create", "demo-zilliz", "-q"], { env });
    const second = await warden(["backup", "create", "demo-zilliz"], { env });

    expect(second.code).toBe(3);
    expect(second.stderr).toMatch(/already running.*HTTP 409/);
    await warden(["backup", "wait", running.stdout.trim()], { env });
  });

  it("deletes with rm --wait down to DELETED, and a hold blocks the deletion", async () => {
    const created = await warden(["backup", "create", "demo-zilliz", "--wait", "-q"], { env });
    const id = created.stdout.trim();

    const held = await warden(["hold", id, "--reason", "audit 2026"], { env });
    const refused = await warden(["backup", "rm", id], { env });
    const released = await warden(["unhold", id], { env });
    const removed = await warden(["backup", "rm", id, "--wait"], { env });

    expect([held.code, refused.code, released.code, removed.code]).toEqual([0, 3, 0, 0]);
    expect(refused.stderr).toContain("legal hold: audit 2026");
    expect(removed.stdout).toMatch(new RegExp(`^DELETED {2}${id} `));
    const history = await warden(["backup", "history", id, "--json"], { env });
    const entries = JSON.parse(history.stdout).history as { status: string; cause: string }[];
    expect(entries.map((h) => h.status)).toEqual([
      "PENDING",
      "CREATING",
      "AVAILABLE",
      "AVAILABLE",
      "AVAILABLE",
      "DELETING",
      "DELETED",
    ]);
    // Placing and lifting the hold are in the history, with who did it.
    expect(entries[3]!.cause).toMatch(/^legal hold placed by .+: audit 2026$/);
    expect(entries[4]!.cause).toMatch(/^legal hold lifted by .+ \(placed by .+: audit 2026\)$/);
  });

  it("stops waiting on Ctrl-C with exit 130 and says how to follow the backup again", async () => {
    const ctrlC = new AbortController();
    setTimeout(() => ctrlC.abort(), 150);

    const run = await warden(["backup", "create", "demo-zilliz", "--wait"], {
      env,
      interrupt: ctrlC,
    });

    expect(run.code).toBe(130);
    const id = ID.exec(run.stderr)?.[0];
    expect(run.stderr).toContain(`stopped waiting: ${id} is`);
    expect(run.stderr).toContain(`warden backup wait ${id}`);
    const resumed = await warden(["backup", "wait", id!], { env });
    expect(resumed.stdout).toMatch(/^AVAILABLE /);
  });
});
