/**
 * restic conformance: runs every golden case from restic's own `ApplyPolicy` tests
 * (test/fixtures/restic/, with restic's licence and the commit they come from) and
 * compares what we keep, and why, with what restic keeps. It runs on every clone.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import {
  planRetention,
  type RetentionBackup,
  type RetentionPlan,
  type RetentionPolicyInput,
} from "../../lib/retention/index.ts";

const GOLDEN_URL = new URL("../fixtures/restic/retention-golden.json", import.meta.url);

const GoldenSnapshot = z.object({ id: z.string(), time: z.string(), tags: z.array(z.string()) });
const GoldenFile = z.object({
  snapshots: z.array(GoldenSnapshot),
  cases: z.array(
    z.object({
      case: z.number(),
      policy: z.record(z.string(), z.unknown()),
      keep: z.array(GoldenSnapshot.omit({ id: true })),
      reasons: z.array(z.object({ time: z.string(), matches: z.array(z.string()) })),
    }),
  ),
});
type GoldenFile = z.infer<typeof GoldenFile>;

function loadGolden(): GoldenFile {
  return GoldenFile.parse(JSON.parse(readFileSync(GOLDEN_URL, "utf8")));
}

/** One kept snapshot as restic identifies it: time (as an instant), tags, and reasons. */
function keptEntry(time: string, tags: string[], reasons: string[]): string {
  return JSON.stringify([Date.parse(time), tags, reasons]);
}

/** What we kept, as a sorted multiset comparable with the golden file. */
function keptMultiset(plan: RetentionPlan, backups: Map<string, RetentionBackup>): string[] {
  return plan.keep
    .map(({ id, reasons }) => {
      const backup = backups.get(id)!;
      return keptEntry(backup.createdAt, backup.tags, reasons);
    })
    .sort();
}

describe("planRetention against restic's golden cases", () => {
  const golden = loadGolden();
  const backups: RetentionBackup[] = golden.snapshots.map(({ id, time, tags }) => ({
    id,
    createdAt: time,
    tags,
  }));
  const byId = new Map(backups.map((backup) => [backup.id, backup]));

  it("loads all 30 golden cases", () => {
    expect(golden.cases).toHaveLength(30);
    expect(new Set(byId.keys()).size).toBe(backups.length);
  });

  for (const { case: number, policy: rawPolicy, keep, reasons } of golden.cases) {
    // The golden policies use our field names; planRetention validates them itself.
    const policy = rawPolicy as RetentionPolicyInput;
    it(`keeps what restic keeps, for the same reasons — case ${number}: ${JSON.stringify(policy)}`, () => {
      expect(reasons).toHaveLength(keep.length);
      const expected = keep
        .map((snapshot, index) => {
          // restic lists reasons in the same order as the kept snapshots.
          expect(reasons[index]!.time).toBe(snapshot.time);
          return keptEntry(snapshot.time, snapshot.tags, reasons[index]!.matches);
        })
        .sort();

      const plan = planRetention(backups, policy);

      expect(keptMultiset(plan, byId)).toEqual(expected);
      expect(plan.keep.length + plan.remove.length).toBe(backups.length);
      // Same answer whatever order the snapshots arrive in.
      expect(planRetention([...backups].reverse(), policy)).toEqual(plan);
    });
  }
});
