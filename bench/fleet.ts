// Dispatching a fleet: N due targets over the four vendors, from the first tick of the
// dispatch function to every vendor backup started (a slot too large for one tick's time
// is finished by the next ticks, a minute apart, each going on where the last stopped). The whole local runtime runs as it does for
// `npm start`: dispatch claims the runs a batch at a time and hands them to the launch
// queue, launch-run starts each create-backup workflow, and each workflow's StartBackup
// asks its vendor — a simulator that enforces a per-account limit of SIM_RPS requests/s
// and marks what it refuses — under the fleet-wide budget of BUDGET_RPS per vendor
// account (WARDEN_RATE_LIMITS). Workflows then wait an hour (nothing polls while this
// measures: every vendor request counted is a start).
//
// Printed per fleet size: seconds from the tick to the last vendor backup started,
// duplicates (vendor backups beyond one per resource, and records beyond one per target),
// requests the simulators refused for rate, and the achieved start rate as a share of the
// budget (goal ≥ 90 %). The last line is the output contract of issue "5 of 7":
//   fleet: <N> targets, <S> s to all started, <D> duplicates, <R> refused for rate, <U> % of budget
// Absolute times vary by machine (two cores here, with every stand-in in one process);
// ratios are what to compare. `BENCH_FLEET=1000` runs one size only.

import { monitorEventLoopDelay } from "node:perf_hooks";
import pMap from "p-map";
import { startLocalFunctions } from "../functions/local-runtime.ts";
import { systemClock } from "../lib/core/clock.ts";
import type { Target } from "../lib/core/target.ts";
import { PROVIDER_NAMES } from "../lib/core/vendors.ts";
import { turnOutcomes } from "../lib/providers/rate-budget.ts";
import { StaticSecretSource } from "../lib/providers/secrets.ts";
import { createTableClient } from "../lib/store/client.ts";
import { createStore } from "../lib/store/store.ts";
import { ensureTable, LOCAL_AWS, startDynalite } from "../local/dynamo.ts";
import { apiEvent, scheduledEvent } from "../local/events.ts";
import { LAMBDA_ACCOUNT_CONCURRENCY } from "../local/workflows.ts";
import { startSandbox } from "../sandbox/index.ts";

process.env.WARDEN_QUIET ??= "1";
const SIZES = process.env.BENCH_FLEET ? [Number(process.env.BENCH_FLEET)] : [1_000, 10_000];
/** The fleet-wide budget per vendor account, and the limit the simulators enforce. */
const BUDGET_RPS = Number(process.env.BENCH_FLEET_RPS ?? 10);
const SIM_RPS = 20;
/** Per fleet size: past it, what started is reported as it stands (and says so). */
const TIMEOUT_MS = Number(process.env.BENCH_FLEET_TIMEOUT_S ?? 600) * 1000;

interface FleetResult {
  targets: number;
  /** Vendor backups started (all of them unless the timeout struck). */
  started: number;
  seconds: number;
  duplicates: number;
  /** Records that ended FAILED (a start that could not be made, even retried). */
  failed: number;
  /** Their `lastError` codes, counted ("ProviderThrottled 12, …"). */
  failedBy: string;
  refused: number;
  budgetShare: number;
  launchedSeconds: number;
  tickSeconds: number;
  /** Ticks of the schedule (a minute apart) it took to claim and send every run. */
  ticks: number;
  /** Of those, ticks that failed (past their timeout) and were followed by the next. */
  failedTicks: number;
  /** Deferred starts that came back in their slot's window, and those too late for it. */
  turns: { kept: number; late: number };
}

async function measure(n: number): Promise<FleetResult> {
  const perVendor = Math.ceil(n / PROVIDER_NAMES.length);
  const sandbox = await startSandbox({
    fleet: perVendor,
    jobDurationMs: 3_600_000,
    // 2,500 indexes in one project: past Pinecone's documented 500 backups per project,
    // every start beyond it is refused QUOTA (a real fleet spreads projects, or has the
    // quota raised; this bench measures dispatch, so its project has a raised one).
    pineconeBackupQuota: 2 * perVendor,
    rateLimits: Object.fromEntries(PROVIDER_NAMES.map((p) => [p, SIM_RPS])),
  });
  // dynalite, as `npm start` runs it. (Amazon DynamoDB Local would move the table to its
  // own process, but refuses the access key ids our functions sign with, their names.)
  const dynamo = await startDynalite();
  const table = `bench-fleet-${n}`;
  await ensureTable(dynamo.endpoint, table);
  const vendors = Object.values(sandbox.vendors);
  const secrets = new StaticSecretSource(
    Object.fromEntries(vendors.map((v) => [v.secret.ref, v.secret.value])),
  );
  const functions = await startLocalFunctions({
    dynamodbEndpoint: dynamo.endpoint,
    table,
    providerSecrets: secrets,
    webhookSecrets: new StaticSecretSource(),
    env: {
      WARDEN_ALLOW_LOOPBACK_PROVIDERS: "1",
      // The budget per vendor account; a start waits for its slot at most the deployed
      // default (5 s). A longer wait holds a Lambda asleep: at 10 requests/s over four
      // vendors, 40 s of it kept 1,600 invocations waiting, past the 256 the local runtime
      // runs at once (and a good part of an AWS account's 1,000).
      WARDEN_RATE_LIMITS: JSON.stringify(
        Object.fromEntries(PROVIDER_NAMES.map((p) => [p, { requestsPerSecond: BUDGET_RPS }])),
      ),
    },
    // Nothing polls while this measures: the first look is an hour away. Task invocations
    // at once as Lambda's default account concurrency, as a deployed fleet has them (not
    // the laptop default of 256: the starts back for their budget slot sleep up to four
    // seconds each, and at 256 they queued for slots until thousands missed their slot).
    workflows: { waitOverrideMs: 3_600_000, taskConcurrency: LAMBDA_ACCOUNT_CONCURRENCY },
    // Nor is the outbox measured: its local stream emulation re-reads every pending event
    // after every write (local/stream.ts), which a thousand launches at once make quadratic.
    streamOutbox: false,
  });
  const store = createStore({
    db: createTableClient({ config: { ...LOCAL_AWS, endpoint: dynamo.endpoint } }),
    table,
    clock: systemClock,
  });

  // The fleet, written straight into the catalogue (registering validates each target at
  // its vendor, which is not what this measures), tagged for one selector policy.
  const now = new Date().toISOString();
  const specs = vendors.flatMap((v) => v.fleetTargets).slice(0, n);
  await pMap(
    specs,
    (spec) =>
      store.targets.create({
        ...(spec as Record<string, unknown>),
        tags: { fleet: "bench" },
        completionWindowMinutes: 360,
        createdAt: now,
        updatedAt: now,
        version: 0,
      } as unknown as Target),
    { concurrency: 16 },
  );
  await store.targets.indexUnindexed();
  const policy = (await functions.invoke(
    "api",
    apiEvent({
      method: "POST",
      path: "/v1/policies",
      headers: { "content-type": "application/json" },
      body: {
        id: "fleet",
        name: "fleet",
        schedule: { expression: "rate(1 hour)" },
        startWindowMinutes: 60,
        targets: { selector: { fleet: "bench" } },
        retention: { last: 10 },
      },
      callerArn: "bench",
    }),
  )) as { statusCode: number; body: string };
  if (policy.statusCode !== 201) throw new Error(`policy not created: ${policy.body}`);
  // Due now: its first slot moved to a second ago (a tick would find it so at its time).
  const slot = new Date(Date.now() - 1_000).toISOString();
  if (!(await store.policies.advance("fleet", JSON.parse(policy.body).nextRunAt, slot)))
    throw new Error("the policy could not be made due");

  const fleetResources = new Set(specs.map((s) => resourceIdOf(s)));
  const started = () =>
    vendors.flatMap((v) => v.simulator.inventory()).filter((b) => fleetResources.has(b.resourceId));

  // The schedule's ticks, a minute apart as EventBridge's: a slot too large for one tick's
  // 60 s (the local runtime's Lambda timeout) is finished by the next ones.
  // How late this one thread runs what is due (every function, dynalite, the simulators).
  const lag = monitorEventLoopDelay({ resolution: 20 });
  lag.enable();
  const turnsBefore = { ...turnOutcomes };
  const t0 = Date.now();
  let ticks = 0;
  let tickSeconds = Number.NaN;
  let launchedSeconds = Number.NaN;
  let failedTicks = 0;
  const ticking = (async () => {
    for (;;) {
      const began = Date.now();
      ticks++;
      // A tick that fails (its timeout, here) is followed by the next one a minute later,
      // as EventBridge's schedule goes on: its unsent claims are re-driven after 2 min.
      const report = (await functions
        .invoke("dispatch", scheduledEvent("DispatchTick"))
        .catch((error: unknown) => {
          failedTicks++;
          process.stderr.write(`  ${n}: tick ${ticks} failed: ${String(error)}\n`);
          return { outOfTime: true, deferred: 0 };
        })) as { outOfTime: boolean; deferred: number };
      if (!report.outOfTime && report.deferred === 0) break;
      await new Promise((r) => setTimeout(r, Math.max(0, began + 60_000 - Date.now())));
      if (Date.now() - t0 > TIMEOUT_MS) return;
    }
    tickSeconds = (Date.now() - t0) / 1000;
    await functions.launches.idle();
    launchedSeconds = (Date.now() - t0) / 1000;
  })();
  let last = 0;
  let seen = 0;
  let lastChange = Date.now();
  let diagnosed = 0;
  while (Date.now() - t0 < TIMEOUT_MS) {
    const count = started().length;
    if (count >= n) break;
    if (count !== seen) {
      seen = count;
      lastChange = Date.now();
    }
    if (count - last >= n / 10) {
      process.stderr.write(
        `  ${n}: ${count} started after ${((Date.now() - t0) / 1000).toFixed(0)} s — ${await whereTheyStand()}\n`,
      );
      last = count;
    }
    // Nothing started for two minutes: say where the rest stand (every two minutes).
    if (Date.now() - lastChange > 120_000 && Date.now() - diagnosed > 120_000) {
      diagnosed = Date.now();
      process.stderr.write(`  ${n}: stalled at ${count} — ${await whereTheyStand()}\n`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  /** Per vendor started, runs and records by status, the queue and the workflows. */
  async function whereTheyStand(): Promise<string> {
    const perVendor = Object.entries(Object.groupBy(started(), (b) => b.vendor)).map(
      ([v, list]) => `${v} ${list?.length ?? 0}`,
    );
    const runs = await store.runs.list("fleet", 100_000);
    const runStatus = Object.entries(Object.groupBy(runs, (r) => r.status)).map(
      ([s, list]) => `${s} ${list?.length ?? 0}`,
    );
    const records: Record<string, number> = {};
    const causes = new Map<string, number>();
    let cursor: string | undefined;
    do {
      const page = await store.backups.list({ policyId: "fleet", limit: 100, cursor });
      for (const b of page.items) {
        records[b.status] = (records[b.status] ?? 0) + 1;
        if (b.status === "FAILED") countCause(causes, b.lastError?.code);
      }
      cursor = page.nextCursor;
    } while (cursor);
    const q = functions.launches;
    const stand = [
      `started: ${perVendor.join(", ")}`,
      `runs: ${runStatus.join(", ")}`,
      `records: ${Object.entries(records)
        .map(([s, c]) => `${s} ${c}`)
        .join(", ")}${causes.size ? ` (FAILED: ${describeCauses(causes)})` : ""}`,
      `queue: sent ${q.stats.sent}, deliveries ${q.stats.deliveries}, redeliveries ${q.stats.redeliveries}, dead ${q.deadLetters.length}`,
      `workflows running ${functions.starter.running} (tasks: ${functions.starter.tasks.active} in a slot, ${functions.starter.tasks.waiting} waiting for one)`,
      `turns kept ${turnOutcomes.kept}, late ${turnOutcomes.late}${turnOutcomes.late ? ` (by ${(turnOutcomes.lateMs / turnOutcomes.late / 1000).toFixed(1)} s on average)` : ""}, early ${turnOutcomes.early}`,
      `event loop delay p50 ${(lag.percentile(50) / 1e6).toFixed(0)} ms, p99 ${(lag.percentile(99) / 1e6).toFixed(0)} ms since the last line`,
      `ticking ${Number.isNaN(tickSeconds) ? `(tick ${ticks})` : `done at ${tickSeconds.toFixed(0)} s`}`,
    ];
    lag.reset();
    return stand.join("; ");
  }
  const backups = started();
  const complete = backups.length >= n;
  const end = complete ? Math.max(...backups.map((b) => b.createdAt)) : Date.now();
  const seconds = (end - t0) / 1000;
  if (complete) await ticking;
  const perResource = Map.groupBy(backups, (b) => `${b.vendor}/${b.resourceId}`);
  let duplicates = [...perResource.values()].reduce((sum, list) => sum + list.length - 1, 0);
  const records = new Map<string, number>();
  const failedBy = new Map<string, number>();
  let failed = 0;
  let cursor: string | undefined;
  do {
    const page = await store.backups.list({ policyId: "fleet", limit: 100, cursor });
    for (const b of page.items) {
      records.set(b.targetId, (records.get(b.targetId) ?? 0) + 1);
      if (b.status === "FAILED") {
        failed++;
        countCause(failedBy, b.lastError?.code);
      }
    }
    cursor = page.nextCursor;
  } while (cursor);
  duplicates += [...records.values()].reduce((sum, count) => sum + count - 1, 0);
  const refused = vendors.reduce(
    (sum, v) => sum + v.simulator.requests.filter((r) => r.refusedForRate).length,
    0,
  );
  const budget = BUDGET_RPS * PROVIDER_NAMES.length;
  const budgetShare = (backups.length / seconds / budget) * 100;
  lag.disable();
  const turns = {
    kept: turnOutcomes.kept - turnsBefore.kept,
    late: turnOutcomes.late - turnsBefore.late,
  };
  await functions.close();
  await sandbox.close();
  await dynamo.close();
  return {
    targets: n,
    started: backups.length,
    seconds,
    duplicates,
    failed,
    failedBy: describeCauses(failedBy),
    refused,
    budgetShare,
    launchedSeconds,
    tickSeconds,
    ticks,
    failedTicks,
    turns,
  };
}

function countCause(causes: Map<string, number>, code: string | undefined): void {
  const key = code ?? "(no lastError)";
  causes.set(key, (causes.get(key) ?? 0) + 1);
}

function describeCauses(causes: Map<string, number>): string {
  return [...causes]
    .sort((a, b) => b[1] - a[1])
    .map(([code, count]) => `${code} ${count}`)
    .join(", ");
}

/** The vendor's id of the resource a fleet target names. */
function resourceIdOf(spec: Record<string, unknown>): string {
  const r = spec.resource as Record<string, string>;
  return r.clusterId ?? r.indexName ?? r.instanceId ?? "";
}

const results: FleetResult[] = [];
for (const n of SIZES) results.push(await measure(n));

console.log(
  `budget: ${BUDGET_RPS} requests/s per vendor account (${BUDGET_RPS * PROVIDER_NAMES.length}/s over the four vendors); simulators refuse past ${SIM_RPS}/s`,
);
for (const r of results)
  console.log(
    `  ${String(r.targets).padStart(6)} targets: ${r.ticks} tick${r.ticks === 1 ? "" : "s"}${r.failedTicks ? ` (${r.failedTicks} failed)` : ""} claimed all in ${r.tickSeconds.toFixed(1)} s, all launched ${r.launchedSeconds.toFixed(1)} s, all started ${r.seconds.toFixed(1)} s (${(r.targets / r.seconds).toFixed(1)} starts/s), ${r.failed} FAILED${r.failed ? ` (${r.failedBy})` : ""}; deferred starts back in their slot ${r.turns.kept}, too late for it ${r.turns.late}`,
  );
if (results.length === 2) {
  const [small, big] = results as [FleetResult, FleetResult];
  console.log(
    `  ${big.targets / small.targets}× the targets took ${(big.seconds / small.seconds).toFixed(2)}× the time`,
  );
}
for (const r of results.filter((r) => r.started < r.targets))
  console.log(
    `  NOT all started at ${r.targets}: ${r.started} after ${r.seconds.toFixed(0)} s (BENCH_FLEET_TIMEOUT_S); the times below are of that`,
  );
const goal = (r: FleetResult) =>
  r.started === r.targets &&
  r.duplicates === 0 &&
  r.failed === 0 &&
  r.refused === 0 &&
  r.budgetShare >= 90
    ? "meets"
    : "MISSES";
for (const r of results)
  console.log(
    `  goals (0 duplicates, 0 FAILED, 0 refused, ≥ 90 % of budget) at ${r.targets}: ${goal(r)}`,
  );
for (const r of results)
  console.log(
    `fleet: ${r.targets} targets, ${r.seconds.toFixed(1)} s to all started, ${r.duplicates} duplicates, ${r.refused} refused for rate, ${r.budgetShare.toFixed(0)} % of budget`,
  );
