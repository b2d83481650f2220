import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { applyGuards } from "../../lib/retention/guards.ts";
import { planRetention } from "../../lib/retention/index.ts";
import { warden } from "./cli-harness.ts";

/** Six backups over four days, two of them on the same day, one tagged. */
const BACKUPS = [
  { id: "b6", createdAt: "2026-03-04T22:00:00Z", tags: [] },
  { id: "b5", createdAt: "2026-03-04T09:00:00Z", tags: [] },
  { id: "b4", createdAt: "2026-03-03T09:00:00Z", tags: ["monthly-audit"] },
  { id: "b3", createdAt: "2026-03-02T09:00:00Z", tags: [] },
  { id: "b2", createdAt: "2026-03-01T23:30:00+01:00", tags: [] },
  { id: "b1", createdAt: "2026-02-27T09:00:00Z", tags: [] },
];
const POLICY = { last: 1, daily: 3, tags: [["monthly-audit"]] };
const NOW = "2026-03-05T00:00:00Z";

const root = mkdtempSync(join(tmpdir(), "warden-retention-"));
let folders = 0;

/** `warden retention plan` on a backups file with POLICY at NOW, as JSON. */
const planArgs = (file: string) => [
  "retention",
  "plan",
  "--backups",
  file,
  "--policy-json",
  JSON.stringify(POLICY),
  "--now",
  NOW,
  "--json",
];

/** What the planner itself makes of BACKUPS under POLICY at NOW. */
const plannerPlan = () => planRetention(BACKUPS, POLICY, { now: new Date(NOW) });

function backupsFile(content: unknown): { cwd: string; file: string } {
  const cwd = join(root, String(++folders));
  mkdirSync(cwd);
  writeFileSync(join(cwd, "backups.json"), JSON.stringify(content));
  return { cwd, file: "backups.json" };
}

describe("warden retention plan (offline)", () => {
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("prints exactly the planner's keep (with reasons) and remove lists as JSON", async () => {
    const { cwd, file } = backupsFile(BACKUPS);

    const run = await warden(planArgs(file), { cwd });

    expect(run.code).toBe(0);
    const expected = plannerPlan();
    expect(JSON.parse(run.stdout)).toEqual(expected);
    expect(expected.remove.length).toBeGreaterThan(0);
    expect(Object.keys(JSON.parse(run.stdout))).toEqual(["keep", "remove"]);
  });

  it("applies the guards only with --guards, reading hold and status from the file", async () => {
    const removed = plannerPlan().remove[0]!.id;
    const withHold = BACKUPS.map((b) =>
      b.id === removed
        ? { ...b, status: "AVAILABLE", hold: { reason: "litigation", by: "legal" } }
        : b,
    );
    const { cwd, file } = backupsFile(withHold);
    const args = planArgs(file);

    const plain = JSON.parse((await warden(args, { cwd })).stdout);
    const guarded = JSON.parse((await warden([...args, "--guards"], { cwd })).stdout);

    expect(plain.remove.map((r: { id: string }) => r.id)).toContain(removed);
    const expected = applyGuards(
      plannerPlan(),
      withHold.map((b) => ({ status: "AVAILABLE", ...b })),
      new Date(NOW),
    );
    expect(guarded).toEqual(expected);
    expect(guarded.guarded).toContainEqual({
      id: removed,
      guard: "hold",
      detail: "legal hold by legal: litigation",
    });
  });

  it("reads the policy from @file and shows reasons as text without --json", async () => {
    const { cwd, file } = backupsFile(BACKUPS);
    writeFileSync(join(cwd, "policy.json"), JSON.stringify(POLICY));

    const run = await warden(
      ["retention", "plan", "--backups", file, "--policy-json", "@policy.json", "--now", NOW],
      { cwd },
    );

    expect(run.code).toBe(0);
    const plan = plannerPlan();
    expect(run.stdout).toContain(`keep ${plan.keep.length}, remove ${plan.remove.length}`);
    const lineOf = (id: string) =>
      run.stdout.split("\n").find((l) => l.includes(` ${id} `) || l.endsWith(` ${id}`));
    for (const k of plan.keep) expect(lineOf(k.id)).toMatch(new RegExp(`^ +keep +${k.id} +\\S`));
    for (const k of plan.keep) expect(lineOf(k.id)).toContain(k.reasons.join("; "));
    for (const r of plan.remove) expect(lineOf(r.id)).toMatch(new RegExp(`^ +remove +${r.id}$`));
  });

  it("exits 2 naming the field when the policy or the file is invalid", async () => {
    const { cwd, file } = backupsFile([{ id: "x", createdAt: "yesterday", tags: [] }]);

    const badPolicy = await warden(
      ["retention", "plan", "--backups", file, "--policy-json", '{"dayly":3}'],
      { cwd },
    );
    const badFile = await warden(
      ["retention", "plan", "--backups", file, "--policy-json", '{"daily":3}'],
      { cwd },
    );

    expect(badPolicy.code).toBe(2);
    expect(badPolicy.stderr).toContain('Unrecognized key: "dayly"');
    expect(badFile.code).toBe(2);
    expect(badFile.stderr).toMatch(/backups\.json:1:\d+ {2}\[0\]\.createdAt: /);
  });

  it("refuses to mix the offline flags with --policy", async () => {
    const run = await warden(["retention", "plan", "--policy", "p", "--backups", "f.json"]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "give either --policy ID, or --backups FILE with --policy-json JSON",
    );
  });
});
