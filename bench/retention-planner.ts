/**
 * Benchmark: plan 100,000 backups with a grandfather-father-son policy, in UTC and in a
 * zone with DST. Run with `node_modules/.bin/node bench/retention-planner.ts`.
 *
 * It only reports; a slow result never fails the run (exit code stays 0), because timing
 * on shared CI machines is too noisy to gate on.
 */
import {
  planRetention,
  type RetentionBackup,
  type RetentionPolicyInput,
} from "../lib/retention/index.ts";

const BACKUP_COUNT = 100_000;
const RUNS = 7;
const WARMUP_RUNS = 3;
const GOAL_MS = 200;

/** Roughly hourly backups over ~11 years, newest last, ids and tags like production data. */
function syntheticBackups(count: number): RetentionBackup[] {
  const start = Date.UTC(2015, 0, 1);
  const backups: RetentionBackup[] = [];
  for (let i = 0; i < count; i++) {
    // Jitter of up to 20 minutes so hour buckets are not perfectly regular.
    const jitter = ((i * 7919) % 1200) * 1000;
    backups.push({
      id: `bk-${String(i).padStart(6, "0")}`,
      createdAt: new Date(start + i * 3_600_000 + jitter).toISOString(),
      tags: i % 500 === 0 ? ["manual"] : [],
    });
  }
  return backups;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function measure(backups: RetentionBackup[], policy: RetentionPolicyInput, now: Date): string {
  const first = performance.now();
  planRetention(backups, policy, { now });
  const coldMs = performance.now() - first;
  for (let i = 0; i < WARMUP_RUNS; i++) planRetention(backups, policy, { now });
  const samples: number[] = [];
  let kept = 0;
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    kept = planRetention(backups, policy, { now }).keep.length;
    samples.push(performance.now() - started);
  }
  const result = median(samples);
  const verdict = result < GOAL_MS ? "ok" : "SLOWER THAN GOAL";
  return (
    `retention planner: ${backups.length} backups, ${policy.timeZone}: ${result.toFixed(1)} ms ` +
    `(median of ${RUNS}) — goal < ${GOAL_MS} ms: ${verdict} ` +
    `(first, cold run ${coldMs.toFixed(1)} ms; ${kept} kept)`
  );
}

const backups = syntheticBackups(BACKUP_COUNT);
// Shuffle deterministically so the planner's sort does real work.
for (let i = backups.length - 1; i > 0; i--) {
  const j = (i * 48271) % (i + 1);
  [backups[i], backups[j]] = [backups[j]!, backups[i]!];
}
const now = new Date(Date.UTC(2026, 6, 1));
for (const timeZone of ["UTC", "Europe/Berlin"]) {
  const policy: RetentionPolicyInput = {
    last: 7,
    daily: 14,
    weekly: 8,
    monthly: 12,
    yearly: -1,
    tags: [["manual"]],
    timeZone,
  };
  console.log(measure(backups, policy, now));
}
