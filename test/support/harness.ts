import { type LocalFunctions, startLocalFunctions } from "../../functions/local-runtime.ts";
import type { FunctionName } from "../../functions/manifest.ts";
import { contextOf } from "../../functions/root.ts";
import { backupTasks, dispatcher, restoreTasks, sweeper } from "../../functions/usecases.ts";
import type { HttpResponse } from "../../lib/api/http.ts";
import type { DomainEvent } from "../../lib/notify/events.ts";
import type { InProcessEventBus } from "../../lib/notify/in-process-bus.ts";
import { StaticSecretSource } from "../../lib/providers/secrets.ts";
import type { ScheduleRun } from "../../lib/store/runs.ts";
import { createStore, type Store } from "../../lib/store/store.ts";
import type { BackupTasks } from "../../lib/usecases/backup-tasks.ts";
import type { RestoreTasks } from "../../lib/usecases/restores.ts";
import { TASKS, type TaskKey } from "../../lib/workflows/definitions.ts";
import type { Denial } from "../../local/aws/gateway.ts";
import { apiEvent } from "../../local/events.ts";
import type { ExecutionOutcome, LocalWorkflowStarter } from "../../local/workflows.ts";
import { fleetIds } from "../../sandbox/fleet.ts";
import { type SlackSink, startSlackSink } from "../../sandbox/slack-sink.ts";
import { startZillizSimulator, type ZillizSimulator } from "../../sandbox/zilliz.ts";
import { assertNoSecrets } from "../setup/secrets-guard.ts";
import { offsetClock } from "./clocks.ts";

export { offsetClock } from "./clocks.ts";

import { recordedCalls } from "./aws-calls.ts";
import { dynaliteTable, type TestTable } from "./dynamo-engines.ts";

/**
 * What tests drive: each use case through the function that runs it on AWS (so its AWS
 * calls are made, authorized and recorded as that function's), and the table's
 * repositories for looking at the result.
 */
export interface HarnessFunctions extends Store {
  dispatcher: ReturnType<typeof dispatcher>;
  /**
   * Both stages of the schedule at `at` (default now; the clock moves there first, since
   * the launcher reads it): the dispatch function's tick, then the launch queue until it
   * is idle. Returns what became of each run the tick claimed or failed.
   */
  schedule(at?: Date): Promise<ScheduledOutcome[]>;
  sweeper: ReturnType<typeof sweeper>;
  /** Each task method runs as its own function (`pollBackup` as poll-backup, …). */
  tasks: Pick<BackupTasks, Exclude<TaskKey, RestoreTaskKey>> & Pick<RestoreTasks, RestoreTaskKey>;
}

/** The restore-backup workflow's tasks (lib/usecases/restores.ts); the rest are BackupTasks. */
const RESTORE_TASKS = ["startRestore", "pollRestore", "recordRestoreFailure"] as const;
type RestoreTaskKey = (typeof RESTORE_TASKS)[number];

/** A run of the schedule, as the table settled it. */
export interface ScheduledOutcome {
  kind: "started" | "skipped" | "missed" | "failed" | "claimed";
  run: ScheduleRun;
}

/** The whole backend in-process: dynalite, the Zilliz simulator, the real ASL and handlers. */
export interface Harness {
  table: TestTable;
  sim: ZillizSimulator;
  starter: LocalWorkflowStarter;
  functions: LocalFunctions;
  container: HarnessFunctions;
  /** Vendor credentials by reference. */
  secrets: StaticSecretSource;
  /** Slack webhooks by reference. */
  webhooks: StaticSecretSource;
  clock: ReturnType<typeof offsetClock>;
  outcomes: ExecutionOutcome[];
  /** Every domain event published, in order. */
  events: DomainEvent[];
  bus: InProcessEventBus;
  /** Calls refused because a function used what it does not declare (a test asserts none). */
  denials: Denial[];
  /** The Slack sink, when started with `slack: true`. */
  sink: SlackSink | undefined;
  /** Calls the API function with an API Gateway event, as API Gateway would. */
  call(
    method: string,
    path: string,
    options?: { body?: unknown; headers?: Record<string, string> },
  ): Promise<HttpResponse & { json: any }>;
  /** Invokes any function with an event, as Lambda would. */
  invoke(name: FunctionName, event: unknown): Promise<unknown>;
  /** Registers a Zilliz target on the simulator's cluster. */
  zillizTarget(id: string, extra?: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(
  options: {
    jobDurationMs?: number;
    slack?: boolean;
    streamOutbox?: boolean;
    /** More clusters on the simulator (`in01-fleet00001`, …), one target's each. */
    fleet?: number;
    /** Overrides of the launch queue's settings (a short visibility timeout). */
    launchQueue?: { visibilityTimeoutMs?: number; maxConcurrency?: number };
    /** More function environment (e.g. `WARDEN_RATE_LIMITS`). */
    env?: Record<string, string>;
  } = {},
): Promise<Harness> {
  const sink = options.slack ? await startSlackSink() : undefined;
  const table = await dynaliteTable();
  const sim = await startZillizSimulator({
    jobDurationMs: options.jobDurationMs ?? 300,
    restoreDurationMs: options.jobDurationMs ?? 300,
    deleteDurationMs: 100,
    clusters: [
      "in01-7b3f9c2e5a1d804",
      "in01-5e1d0a9c3b7f226",
      ...fleetIds(options.fleet ?? 0).zillizClusters,
    ],
  });
  const secrets = new StaticSecretSource({
    "sandbox/zilliz": { vendor: "zilliz", apiKey: sim.apiKey },
  });
  const webhooks = new StaticSecretSource();
  if (sink) webhooks.set("sandbox/slack", { url: sink.webhookUrl("alerts") });
  const outcomes: ExecutionOutcome[] = [];
  const clock = offsetClock();
  const functions = await startLocalFunctions({
    dynamodbEndpoint: table.endpoint,
    table: table.table,
    providerSecrets: secrets,
    webhookSecrets: webhooks,
    env: {
      WARDEN_ALLOW_LOOPBACK_PROVIDERS: "1",
      WARDEN_PROVIDER_TIMEOUT_MS: "2000",
      ...(sink ? { WARDEN_SLACK_WEBHOOK_SECRET: "sandbox/slack" } : {}),
      ...options.env,
    },
    workflows: { waitOverrideMs: 20, retryOverrideMs: 5, onOutcome: (o) => outcomes.push(o) },
    // A failed launch is delivered again soon, not after SQS's 30 s.
    launchQueue: { visibilityTimeoutMs: 50, ...options.launchQueue },
    notifySlack: options.slack === true,
    ...(options.streamOutbox === undefined ? {} : { streamOutbox: options.streamOutbox }),
    clock,
    onCall: recordedCalls(),
  });
  const events: DomainEvent[] = [];
  functions.bus.subscribe((event) => {
    events.push(event);
  });
  const store = createStore({ db: table.db, table: table.table, clock });
  const taskFunction = (key: TaskKey): Record<string, unknown> =>
    (RESTORE_TASKS as readonly string[]).includes(key)
      ? (restoreTasks(contextOf(TASKS[key])) as never)
      : (backupTasks(contextOf(TASKS[key])) as never);
  const tasks = Object.fromEntries(
    (Object.keys(TASKS) as TaskKey[]).map((key) => [
      key,
      (input: never) => {
        const body = taskFunction(key);
        return (body[key] as (i: never) => Promise<unknown>).call(body, input);
      },
    ]),
  ) as unknown as HarnessFunctions["tasks"];
  const container: HarnessFunctions = {
    ...store,
    get dispatcher() {
      return dispatcher(contextOf("dispatch"));
    },
    get sweeper() {
      return sweeper(contextOf("sweep"));
    },
    async schedule(at = clock.now()) {
      const ahead = at.getTime() - clock.now().getTime();
      if (ahead > 0) clock.advance(ahead);
      const report = await dispatcher(contextOf("dispatch")).tick(at);
      await functions.launches.idle();
      const settled = await Promise.all(report.enqueued.map((m) => store.runs.get(m)));
      return [
        ...report.failed.map((o) => ({ kind: "failed" as const, run: o.run })),
        ...settled.flatMap((run) =>
          run ? [{ kind: run.status.toLowerCase() as ScheduledOutcome["kind"], run }] : [],
        ),
      ];
    },
    tasks,
  };
  const call: Harness["call"] = async (method, path, opts = {}) => {
    const result = (await functions.invoke(
      "api",
      apiEvent({
        method,
        path,
        headers: { "content-type": "application/json", ...opts.headers },
        body: opts.body,
        callerArn: "test operator",
      }),
    )) as { statusCode: number; headers: Record<string, string>; body: string };
    const response = { status: result.statusCode, headers: result.headers, body: result.body };
    assertNoSecrets(response.body ?? "", `the response to ${method} ${path}`);
    return { ...response, json: response.body ? JSON.parse(response.body) : undefined };
  };
  return {
    table,
    sim,
    starter: functions.starter,
    functions,
    container,
    secrets,
    webhooks,
    clock,
    outcomes,
    events,
    bus: functions.bus,
    denials: functions.aws.denials,
    sink,
    call,
    invoke: functions.invoke,
    zillizTarget: async (id, extra = {}) => {
      const r = await call("POST", "/v1/targets", {
        body: {
          id,
          name: id,
          provider: "zilliz",
          secretRef: "sandbox/zilliz",
          resource: { clusterId: sim.clusters[0], baseUrl: sim.url },
          ...extra,
        },
      });
      if (r.status !== 201) throw new Error(`target not created: ${r.body}`);
    },
    close: async () => {
      await functions.close();
      await sink?.close();
      await sim.close();
      await table.close();
      if (functions.aws.denials.length > 0) {
        const d = functions.aws.denials[0]!;
        throw new Error(
          `${functions.aws.denials.length} AWS call(s) refused, first: ${d.identity} ${d.call.action} on ${d.resource}`,
        );
      }
    },
  };
}
