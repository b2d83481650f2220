import { Environment } from "../../functions/config.ts";
import { taskHandlers } from "../../functions/task-handlers.ts";
import { buildContainer, type Container, installContainer } from "../../functions/wiring.ts";
import type { HttpResponse } from "../../lib/api/http.ts";
import type { Clock } from "../../lib/core/clock.ts";
import { type ExecutionOutcome, LocalWorkflowStarter } from "../../lib/local/workflows.ts";
import type { DomainEvent } from "../../lib/notify/events.ts";
import { InProcessEventBus } from "../../lib/notify/in-process-bus.ts";
import { StaticSecretSource } from "../../lib/providers/secrets.ts";
import { type SlackSink, startSlackSink } from "../../lib/sandbox/slack-sink.ts";
import { startZillizSimulator, type ZillizSimulator } from "../../lib/sandbox/zilliz.ts";
import { assertNoSecrets } from "../setup/secrets-guard.ts";
import { dynaliteTable, type TestTable } from "./dynamo-engines.ts";

/** A clock running with the wall clock, plus an offset the test can push forward. */
export function offsetClock(): Clock & { advance(ms: number): void } {
  let offset = 0;
  return {
    now: () => new Date(Date.now() + offset),
    advance: (ms) => {
      offset += ms;
    },
  };
}

/** The whole backend in-process: dynalite, the Zilliz simulator, the real ASL and handlers. */
export interface Harness {
  table: TestTable;
  sim: ZillizSimulator;
  starter: LocalWorkflowStarter;
  container: Container;
  secrets: StaticSecretSource;
  clock: ReturnType<typeof offsetClock>;
  outcomes: ExecutionOutcome[];
  /** Every domain event published, in order. */
  events: DomainEvent[];
  bus: InProcessEventBus;
  /** The Slack sink, when started with `slack: true`. */
  sink: SlackSink | undefined;
  /** Calls the API dispatcher like the HTTP server would. */
  call(
    method: string,
    path: string,
    options?: { body?: unknown; headers?: Record<string, string> },
  ): Promise<HttpResponse & { json: any }>;
  /** Registers a Zilliz target on the simulator's cluster. */
  zillizTarget(id: string, extra?: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(
  options: { jobDurationMs?: number; slack?: boolean } = {},
): Promise<Harness> {
  const sink = options.slack ? await startSlackSink() : undefined;
  const table = await dynaliteTable();
  const sim = await startZillizSimulator({
    jobDurationMs: options.jobDurationMs ?? 300,
    deleteDurationMs: 100,
    clusters: ["in01-7b3f9c2e5a1d804", "in01-5e1d0a9c3b7f226"],
  });
  const secrets = new StaticSecretSource({ "sandbox/zilliz": { apiKey: sim.apiKey } });
  if (sink) secrets.set("sandbox/slack", { url: sink.webhookUrl("alerts") });
  const outcomes: ExecutionOutcome[] = [];
  const starter = new LocalWorkflowStarter({
    handlers: taskHandlers as never,
    waitOverrideMs: 20,
    retryOverrideMs: 5,
    onOutcome: (o) => outcomes.push(o),
  });
  const clock = offsetClock();
  const env = Environment.parse({
    WARDEN_TABLE: table.table,
    WARDEN_DYNAMODB_ENDPOINT: table.endpoint,
    AWS_REGION: "local",
    WARDEN_ALLOW_LOOPBACK_PROVIDERS: "1",
    WARDEN_PROVIDER_TIMEOUT_MS: "2000",
    ...(sink ? { WARDEN_SLACK_WEBHOOK_SECRET: "sandbox/slack" } : {}),
  });
  const bus = new InProcessEventBus();
  const events: DomainEvent[] = [];
  bus.subscribe((event) => {
    events.push(event);
  });
  const container = buildContainer({ env, secrets, workflows: starter, clock, events: bus });
  installContainer(container);
  if (sink) bus.subscribe((event) => container.notifier.notify(event));
  const call: Harness["call"] = async (method, path, opts = {}) => {
    const [pathname, search] = path.split("?");
    const response = await container.api({
      method,
      path: pathname ?? path,
      query: Object.fromEntries(new URLSearchParams(search ?? "")),
      headers: { "content-type": "application/json", ...opts.headers },
      body:
        opts.body === undefined
          ? undefined
          : typeof opts.body === "string"
            ? opts.body
            : JSON.stringify(opts.body),
      caller: "test operator",
    });
    assertNoSecrets(response.body ?? "", `the response to ${method} ${path}`);
    return { ...response, json: response.body ? JSON.parse(response.body) : undefined };
  };
  return {
    table,
    sim,
    starter,
    container,
    secrets,
    clock,
    outcomes,
    events,
    bus,
    sink,
    call,
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
      await starter.stop();
      await sink?.close();
      await sim.close();
      await table.close();
    },
  };
}
