// Cold start per function, both ways the AWS SDK can ship: left to the nodejs24.x runtime
// (what the stacks deploy, stacks/bundle.ts) and bundled, tree-shaken, in chunks.
//
// For each function and each way: the bytes of its bundle (every file of its zip) and
// of its entry file; the median whole-process time of `node` importing the bundle (what
// Lambda's init does), and of importing it and handling one first event that makes the
// function's first AWS call (init + first invocation), each against an empty handler
// bundled the same way, as a ratio. Processes are interleaved round by round (the empty
// handler in every round), so machine drift touches every number alike.
//
// The first events go to a local AWS endpoint (local/aws/), dynalite, a Zilliz
// simulator and a Slack sink started here, so every first call is a real call.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startLocalFunctions } from "../functions/local-runtime.ts";
import type { FunctionName } from "../functions/manifest.ts";
import { EVENT_SOURCE, EventType } from "../lib/notify/events.ts";
import { StaticSecretSource } from "../lib/providers/secrets.ts";
import { OUTBOX_PARTITION } from "../lib/store/outbox.ts";
import { TASKS } from "../lib/workflows/definitions.ts";
import { ensureTable, startDynalite } from "../local/dynamo.ts";
import { apiEvent, eventBridgeEvent, scheduledEvent, sqsEvent } from "../local/events.ts";
import { streamRecord } from "../local/stream.ts";
import { startSlackSink } from "../sandbox/slack-sink.ts";
import { startZillizSimulator } from "../sandbox/zilliz.ts";
import { buildFunction, buildFunctions, type FunctionBundle } from "../scripts/build-functions.ts";
import { FUNCTION_BUNDLE, MAX_BUNDLE_BYTES, SDK_PACKAGES } from "../stacks/bundle.ts";

const ROOT = resolve(import.meta.dirname, "..");
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const OUT = join(ROOT, "dist", "bench-cold-start");

/** The targets of the issue that set them: ratios to the empty handler, and size. */
const TARGET = { tight: 1.5, loose: 2.0, bytes: MAX_BUNDLE_BYTES };
const TASK_FUNCTIONS = new Set<string>(Object.values(TASKS));
const tight = (name: string) => name === "api" || TASK_FUNCTIONS.has(name);

const WAYS = {
  "runtime SDK": {},
  "bundled SDK": { external: FUNCTION_BUNDLE.external.filter((e) => !SDK_PACKAGES.includes(e)) },
} as const;
type Way = keyof typeof WAYS;
/** What stacks/bundle.ts builds; the other way is measured to justify the choice. */
const DEPLOYED: Way = "runtime SDK";

// ---------------------------------------------------------------- the bundles

const bundles = {} as Record<Way, FunctionBundle[]>;
const empties = {} as Record<Way, FunctionBundle>;
const emptySource = join(mkdtempSync(join(tmpdir(), "warden-bench-")), "empty.ts");
writeFileSync(emptySource, "export const handler = async () => ({});\n");
for (const [way, options] of Object.entries(WAYS) as [Way, object][]) {
  const dir = join(OUT, way.replace(" ", "-"));
  bundles[way] = await buildFunctions(dir, options);
  mkdirSync(dir, { recursive: true });
  empties[way] = await buildFunction("_empty", emptySource, dir, options);
}

// ---------------------------------------------------------------- what the first events reach

process.env.WARDEN_QUIET = "1";
const dynamo = await startDynalite();
const table = "backup-warden-bench";
await ensureTable(dynamo.endpoint, table);
const sim = await startZillizSimulator({});
const sink = await startSlackSink();
const functions = await startLocalFunctions({
  dynamodbEndpoint: dynamo.endpoint,
  table,
  providerSecrets: new StaticSecretSource({
    "sandbox/zilliz": { vendor: "zilliz", apiKey: sim.apiKey },
  }),
  webhookSecrets: new StaticSecretSource({ "sandbox/slack": { url: sink.webhookUrl("bench") } }),
});
const target = {
  id: "bench",
  name: "bench",
  provider: "zilliz",
  secretRef: "sandbox/zilliz",
  resource: { clusterId: sim.clusters[0], baseUrl: sim.url },
  createdAt: "2026-11-01T00:00:00.000Z",
  updatedAt: "2026-11-01T00:00:00.000Z",
  version: 0,
};
const task = { backupId: "bk_01hybench00000000000000000", execution: "bench" };
const failedDetail = {
  version: 1,
  eventId: "backup.failed:bk_01hybench00000000000000000:1",
  occurredAt: "2026-11-02T02:34:17.000Z",
  backupId: "bk_01hybench00000000000000000",
  targetId: "bench",
  provider: "zilliz",
  status: "FAILED",
  trigger: "api",
  createdAt: "2026-11-02T02:30:05.000Z",
  error: { code: "ProviderQuota", class: "QUOTA", message: "insufficient storage quota" },
};
/** Each function's first event: its first invocation makes its first AWS call. */
const FIRST_EVENT: Record<FunctionName, unknown> = {
  api: apiEvent({ method: "GET", path: "/v1/targets", callerArn: "arn:aws:iam::0:user/bench" }),
  "validate-target": { target },
  reconcile: { targetId: "bench", dryRun: true },
  dispatch: scheduledEvent("DispatchTick"),
  // A redelivered launch of a run the table does not hold: read, and nothing done.
  "launch-run": sqsEvent("arn:aws:sqs:local:000000000000:backup-warden-local-launch", [
    {
      messageId: "bench",
      body: JSON.stringify({
        policyId: "bench",
        targetId: "bench",
        scheduledAt: "2026-11-02T02:30:00.000Z",
        backupId: "bk_01hybench00000000000000000",
      }),
      receiveCount: 2,
      sentAt: Date.parse("2026-11-02T02:30:01.000Z"),
    },
  ]),
  sweep: scheduledEvent("SweepTick"),
  // An expiry stream batch with nothing due still parses and answers; give it one record.
  "expiry-stream": {
    Records: [
      {
        eventID: "1",
        eventName: "REMOVE",
        eventSource: "aws:dynamodb",
        userIdentity: { type: "Service", principalId: "dynamodb.amazonaws.com" },
        dynamodb: {
          Keys: { pk: { S: "EXPIRY#bk_x" }, sk: { S: "EXPIRY" } },
          OldImage: { entity: { S: "expiry" }, backupId: { S: "bk_x" } },
          SequenceNumber: "1",
        },
      },
    ],
  },
  // An item with one pending event, as the outbox's stream delivers it.
  "publish-outbox": {
    Records: [
      streamRecord({
        eventName: "MODIFY",
        keys: { pk: "BACKUP#bk_01hybench00000000000000000", sk: "BACKUP" },
        newImage: {
          pk: "BACKUP#bk_01hybench00000000000000000",
          sk: "BACKUP",
          gsi4pk: OUTBOX_PARTITION,
          gsi4sk: `${failedDetail.occurredAt}#BACKUP#bk_01hybench00000000000000000`,
          outbox: [{ id: failedDetail.eventId, type: EventType.failed, detail: failedDetail }],
        },
        now: new Date(),
        table: "backup-warden",
      }),
    ],
  },
  "notify-slack": eventBridgeEvent(EventType.failed, EVENT_SOURCE, failedDetail),
  "slack-digest": scheduledEvent("SlackDigestTick"),
  "start-backup": task,
  "poll-backup": { ...task, waitSeconds: 15 },
  "record-failure": { ...task, error: { Error: "States.TaskFailed" } },
  "delete-provider-backup": { ...task, reason: "bench" },
  "poll-deletion": { ...task, waitSeconds: 15 },
  "record-delete-failure": { ...task, error: { Error: "States.TaskFailed" } },
  // A restore the table does not hold: read, and the step fails as NotFound.
  "start-restore": { restoreId: "rs_01hybench00000000000000000" },
  "poll-restore": { restoreId: "rs_01hybench00000000000000000", waitSeconds: 15 },
  "record-restore-failure": {
    restoreId: "rs_01hybench00000000000000000",
    error: { Error: "States.TaskFailed" },
  },
  "preview-restore": {
    target,
    backup: {
      id: "bk_01hybench00000000000000000",
      targetId: "bench",
      provider: "zilliz",
      status: "AVAILABLE",
      trigger: "api",
      providerBackupId: "backup-bench",
      providerResourceId: "in01-bench",
      createdAt: "2026-11-02T02:30:05.000Z",
      updatedAt: "2026-11-02T02:34:17.000Z",
      deadlineAt: "2026-11-02T08:30:05.000Z",
      version: 1,
    },
    destination: { clusterName: "bench-restore", cuSize: 1 },
  },
};
const env = {
  ...process.env,
  ...functions.env,
  WARDEN_ALLOW_LOOPBACK_PROVIDERS: "1",
  WARDEN_SLACK_WEBHOOK_SECRET: "sandbox/slack",
  WARDEN_QUIET: "1",
  POWERTOOLS_LOG_LEVEL: "ERROR",
};

// ---------------------------------------------------------------- one process, timed

const CHILD = join(ROOT, "bench", "support", "first-call.mjs");

/**
 * Wall time of one `node` process importing `file` (and handling `event`), in ms. Not
 * spawnSync: the endpoints the first calls reach run in this process's event loop.
 */
function run(file: string, event?: unknown): Promise<{ ms: number; outcome: string }> {
  const args = [CHILD, file, ...(event === undefined ? [] : [JSON.stringify(event)])];
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  return new Promise((done, fail) =>
    child.on("exit", (code) =>
      code === 0
        ? done({
            ms: performance.now() - started,
            outcome: /@@outcome (.*)/.exec(stdout)?.[1] ?? "?",
          })
        : fail(new Error(`${file} failed (${code}): ${stderr}`)),
    ),
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const samples = new Map<string, number[]>();
/** How each function's first invocation ended: what its first call is known to answer. */
const outcomes = new Map<string, string>();
const add = (key: string, { ms, outcome }: { ms: number; outcome: string }) => {
  samples.set(key, [...(samples.get(key) ?? []), ms]);
  outcomes.set(key, outcome);
};

try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const way of Object.keys(WAYS) as Way[]) {
      add(`${way}|_empty|import`, await run(empties[way].file));
      add(`${way}|_empty|first`, await run(empties[way].file, {}));
      for (const b of bundles[way]) {
        add(`${way}|${b.name}|import`, await run(b.file));
        add(`${way}|${b.name}|first`, await run(b.file, FIRST_EVENT[b.name as FunctionName]));
      }
    }
  }
} finally {
  await functions.close();
  await sink.close();
  await sim.close();
  await dynamo.close();
}

// ---------------------------------------------------------------- the numbers

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const stat = (way: Way, name: string, mode: "import" | "first") =>
  median(samples.get(`${way}|${name}|${mode}`)!);
console.log(
  `cold start: whole node processes, median of ${ROUNDS} interleaved rounds; ratios to an empty handler bundled the same way`,
);
for (const way of Object.keys(WAYS) as Way[]) {
  const ei = stat(way, "_empty", "import");
  const ef = stat(way, "_empty", "first");
  console.log(
    `\n${way}${way === DEPLOYED ? " (deployed)" : " (the alternative, not deployed)"}: empty handler ${ei.toFixed(0)} ms to import, ${ef.toFixed(0)} ms with an invocation`,
  );
  console.log(
    `  ${"function".padEnd(23)} ${"bundle".padStart(8)} ${"entry".padStart(7)} ${"import".padStart(8)} ${"×".padStart(5)} ${"+1st call".padStart(10)} ${"×".padStart(5)}  ${"1st call answered".padEnd(24)} target`,
  );
  let over = 0;
  for (const b of bundles[way]) {
    const im = stat(way, b.name, "import");
    const fi = stat(way, b.name, "first");
    const limit = tight(b.name) ? TARGET.tight : TARGET.loose;
    const ok = im / ei <= limit && b.bytes <= TARGET.bytes;
    if (!ok) over++;
    console.log(
      `  ${b.name.padEnd(23)} ${kib(b.bytes).padStart(8)} ${kib(b.entryBytes).padStart(7)} ${`${im.toFixed(0)} ms`.padStart(8)} ${(im / ei).toFixed(2).padStart(5)} ${`${fi.toFixed(0)} ms`.padStart(10)} ${(fi / ef).toFixed(2).padStart(5)}  ${(outcomes.get(`${way}|${b.name}|first`) ?? "").padEnd(24)} ${ok ? "ok" : "OVER"} (≤ ${limit.toFixed(1)}×, ≤ ${kib(TARGET.bytes)})`,
    );
  }
  if (way === DEPLOYED) {
    console.log(
      `  ${over === 0 ? "every function within its targets" : `NOT every function within its targets: ${over} over`}`,
    );
    if (over > 0) process.exitCode = 1;
  } else {
    console.log(
      `  ${over} of ${bundles[way].length} functions over their targets: why the ${DEPLOYED} is what is deployed`,
    );
  }
}
rmSync(OUT, { recursive: true, force: true });
