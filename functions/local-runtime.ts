import { type Clock, systemClock } from "../lib/core/clock.ts";
import { EVENT_SOURCE } from "../lib/notify/events.ts";
import { InProcessEventBus } from "../lib/notify/in-process-bus.ts";
import { CountingMetrics, type Metrics } from "../lib/notify/metrics.ts";
import type { SecretSource } from "../lib/providers/secrets.ts";
import { createTableClient } from "../lib/store/client.ts";
import { createStore } from "../lib/store/store.ts";
import type { WorkflowName } from "../lib/workflows/definitions.ts";
import {
  type Denial,
  type LocalAws,
  type LocalEventEntry,
  startLocalAws,
} from "../local/aws/gateway.ts";
import type { ArnContext } from "../local/aws/iam.ts";
import { type RecordedCall, recordCalls } from "../local/aws/recorder.ts";
import { LOCAL_AWS } from "../local/dynamo.ts";
import { eventBridgeEvent, sqsEvent } from "../local/events.ts";
import { lambdaContext } from "../local/lambda-context.ts";
import { LocalQueue, type LocalQueueOptions } from "../local/queue.ts";
import { deliverOutbox } from "../local/stream.ts";
import { type ExecutionOutcome, LocalWorkflowStarter } from "../local/workflows.ts";
import {
  CAPABILITIES,
  type Capability,
  type Deployment,
  deploymentOf,
  environmentFor,
  grantsFor,
  logicalResource,
} from "./capabilities.ts";
import { HANDLERS, type LambdaHandler, taskHandlers } from "./handlers.ts";
import { errorFields, log } from "./log.ts";
import { FUNCTIONS, type FunctionName } from "./manifest.ts";
import { installRuntime } from "./root.ts";

/** Where the local runtime says its resources are (ARNs in the shape AWS gives them). */
export const LOCAL_ARNS: ArnContext = { region: "local", account: "000000000000" };

/** The local deployment: one table, one bus, both workflows, two secret prefixes. */
export function localDeployment(table: string): Deployment {
  return deploymentOf(LOCAL_ARNS, {
    table,
    bus: "backup-warden-local",
    stage: "backup-warden-local",
    secrets: "backup-warden/local/",
    validateTarget: "backup-warden-local-validate-target",
    reconcile: "backup-warden-local-reconcile",
    previewRestore: "backup-warden-local-preview-restore",
    launchQueue: "backup-warden-local-launch",
  });
}

/**
 * The launch queue's settings, as stacks/schedules.ts deploys them: batches of ten, a
 * failed run delivered again after the visibility timeout, five deliveries before the
 * dead-letter queue. Locally the consumer runs at most `maxConcurrency` batches at once.
 */
export const LAUNCH_QUEUE = {
  batchSize: 10,
  maxConcurrency: 5,
  visibilityTimeoutMs: 30_000,
  maxReceiveCount: 5,
} as const;

/** Options of {@link startLocalFunctions}. */
export interface LocalFunctionsOptions {
  dynamodbEndpoint: string;
  table: string;
  /** Vendor credentials by reference (what `secretRef` names). */
  providerSecrets: SecretSource;
  /** Slack webhooks by reference. */
  webhookSecrets: SecretSource;
  /** Variables every function gets besides its resources (timeouts, loopback, version…). */
  env?: Record<string, string | undefined>;
  workflows?: {
    waitOverrideMs?: number;
    retryOverrideMs?: number;
    /** Task invocations at once (default `LOCAL_TASK_CONCURRENCY`, local/workflows.ts). */
    taskConcurrency?: number;
    onOutcome?: (outcome: ExecutionOutcome) => void;
  };
  /** Overrides of {@link LAUNCH_QUEUE} (tests: a short visibility timeout). */
  launchQueue?: Partial<Omit<LocalQueueOptions, "deliver">>;
  /** Deliver domain events to the Slack notifier, as the bus rule does on AWS. */
  notifySlack?: boolean;
  /**
   * Emulate the outbox's stream (default true). Off, only an explicit `outbox.drain()` or
   * the sweeper publishes: a stream consumer that is down.
   */
  streamOutbox?: boolean;
  clock?: Clock;
  fetch?: typeof fetch;
  metrics?: Metrics;
  /** Told about every AWS call a function makes (the test suite's permission matrix). */
  onCall?: (call: RecordedCall) => void;
  /** Told about every call refused for lack of a declared capability. */
  onDenied?: (denial: Denial) => void;
}

/** The functions running locally, each as itself. */
export interface LocalFunctions {
  aws: LocalAws;
  starter: LocalWorkflowStarter;
  bus: InProcessEventBus;
  /** The launch queue and its subscriber (launch-run); `idle()` once every run is launched. */
  launches: LocalQueue;
  deployment: Deployment;
  /** The environment every function runs with (the variables of every capability). */
  env: Record<string, string>;
  /** Invokes a function as Lambda would: the event, a fresh Lambda context. */
  invoke(name: FunctionName, event: unknown): Promise<unknown>;
  /**
   * The outbox's stream, emulated (local/stream.ts): after every table write the items
   * with pending events go to `publish-outbox`. `settled()` resolves once nothing is left
   * to deliver — what a test awaits before it looks at the bus.
   */
  outbox: { drain(): Promise<void>; settled(): Promise<void> };
  close(): Promise<void>;
  /**
   * `kill -9`, in process: executions vanish and the AWS endpoint goes away at once, so a
   * call under way reaches its vendor but nothing after it reaches the table, the bus or
   * a workflow (the fault-injection suite restarts on the same table after it).
   */
  kill(): Promise<void>;
}

const ALL_CAPABILITIES = Object.keys(CAPABILITIES) as Capability[];

/**
 * Runs every function of the system in this process the way AWS runs them: each with
 * its own context and SDK clients signed as itself, against one loopback AWS endpoint
 * that authorizes its calls by its declared capabilities (functions/manifest.ts). Every
 * function is told where every resource is, as if its environment were complete; only
 * its IAM statements differ, so what it did not declare is refused by "IAM", not by a
 * missing variable — the failure a deployed function would meet.
 */
export async function startLocalFunctions(options: LocalFunctionsOptions): Promise<LocalFunctions> {
  const deployment = localDeployment(options.table);
  const starter = new LocalWorkflowStarter({
    handlers: taskHandlers as never,
    ...options.workflows,
  });
  const bus = new InProcessEventBus({
    onError: (error, event) =>
      log("warn", `event subscriber failed on ${event.type}`, errorFields(error)),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  const invoke = (name: FunctionName, event: unknown) =>
    (HANDLERS[name] as unknown as LambdaHandler)(event, lambdaContext(name) as never);
  // The functions other functions invoke, by their deployed names.
  const INVOKED: Record<string, FunctionName> = {
    [deployment.validateTarget.name]: "validate-target",
    [deployment.reconcile.name]: "reconcile",
    [deployment.previewRestore.name]: "preview-restore",
  };
  const workflowOf = new Map(
    Object.entries(deployment.workflows).map(([name, arn]) => [arn, name as WorkflowName]),
  );
  const secretPrefixes: Array<[string, SecretSource]> = [
    [deployment.secrets.providers.prefix, options.providerSecrets],
    [deployment.secrets.webhooks.prefix, options.webhookSecrets],
  ];

  // The operator's view of the table, for the emulated stream (as TTL emulation reads it).
  const store = createStore({
    db: createTableClient({ config: { ...LOCAL_AWS, endpoint: options.dynamodbEndpoint } }),
    table: options.table,
    clock: options.clock ?? systemClock,
  });
  let draining: Promise<void> | undefined;
  let again = false;
  let closed = false;
  let killed = false;
  const drain = (): Promise<void> => {
    if (draining) {
      again = true;
      return draining;
    }
    draining = (async () => {
      do {
        again = false;
        if (closed) return;
        await deliverOutbox(
          store.outbox,
          (event) => invoke("publish-outbox", event),
          options.table,
        );
      } while (again);
    })().finally(() => {
      draining = undefined;
    });
    return draining;
  };
  // Nothing left to deliver: no pass under way, and the bus has handed every event over.
  const settled = async () => {
    do {
      while (draining) await draining.catch(() => {});
      await bus.idle();
    } while (draining);
  };
  const drainQuietly = () =>
    void drain().catch((error) =>
      log("warn", "outbox stream emulation failed", errorFields(error)),
    );

  // The launch queue's event source mapping: batches to launch-run, failures redelivered.
  const launches = new LocalQueue({
    ...LAUNCH_QUEUE,
    ...options.launchQueue,
    deliver: async (batch) => {
      const answer = (await invoke("launch-run", sqsEvent(deployment.launchQueue.arn, batch))) as {
        batchItemFailures?: { itemIdentifier: string }[];
      };
      return (answer?.batchItemFailures ?? []).map((f) => f.itemIdentifier);
    },
    onDeadLetter: (message) =>
      log("error", "a launch message failed five times and went to the dead-letter queue", {
        messageId: message.messageId,
      }),
  });

  const aws = await startLocalAws({
    arns: LOCAL_ARNS,
    policyOf: (identity) =>
      identity in FUNCTIONS
        ? grantsFor(FUNCTIONS[identity as FunctionName].uses, deployment)
        : undefined,
    ...(options.onDenied ? { onDenied: options.onDenied } : {}),
    backends: {
      dynamodbEndpoint: options.dynamodbEndpoint,
      secret: async (id) => {
        const match = secretPrefixes.find(([prefix]) => id.startsWith(prefix));
        if (!match) return undefined;
        try {
          return JSON.stringify(await match[1].get(id.slice(match[0].length)));
        } catch {
          return undefined;
        }
      },
      startExecution: async (arn, name, input) => {
        const workflow = workflowOf.get(arn);
        return workflow
          ? starter.start(workflow, name, input as Record<string, unknown>)
          : undefined;
      },
      // Acknowledged once delivered (see publishDelivered): nothing published is lost locally.
      putEvents: (entries: LocalEventEntry[]) =>
        bus.publishDelivered(
          entries
            .filter((e) => e.Source === EVENT_SOURCE)
            .map((e) => ({ type: e.DetailType, detail: JSON.parse(e.Detail ?? "{}") }) as never),
        ),
      sendMessages: (queueUrl, bodies) =>
        queueUrl === deployment.launchQueue.url ? launches.send(bodies) : undefined,
      ...(options.streamOutbox === false ? {} : { onTableWrite: drainQuietly }),
      invoke: async (functionName, payload) => {
        const local = INVOKED[functionName];
        if (!local) return undefined;
        try {
          return { result: await invoke(local, payload) };
        } catch (error) {
          const e = error instanceof Error ? error : new Error(String(error));
          return { error: { errorType: e.name, errorMessage: e.message } };
        }
      },
    },
  });

  const env = {
    AWS_REGION: LOCAL_ARNS.region,
    WARDEN_AWS_ENDPOINT: aws.url,
    ...environmentFor(ALL_CAPABILITIES, deployment),
    ...options.env,
  };
  installRuntime({
    env: () => env,
    ...(options.clock ? { clock: options.clock } : {}),
    // Killed, no new request leaves (one already sent reaches its vendor, as after kill -9).
    fetch: (input, init) => {
      if (killed) return Promise.reject(new TypeError("fetch failed: the process was killed"));
      return (options.fetch ?? fetch)(input, init);
    },
    // Counted in memory: EMF lines are for CloudWatch, not a terminal.
    metrics: options.metrics ?? new CountingMetrics(),
    ...(options.onCall
      ? {
          onClient: (name, client, service) =>
            recordCalls(client, name, service, LOCAL_ARNS, (call) =>
              // Written against the deployment (`{table}/index/…`), so any stage can check it.
              options.onCall!({
                ...call,
                resources: call.resources.map((r) => logicalResource(deployment, r)),
              }),
            ),
        }
      : {}),
  });

  // The bus rule of stacks/events.ts: our events, as EventBridge envelopes, to the notifier.
  if (options.notifySlack) {
    bus.subscribe((event) =>
      invoke("notify-slack", eventBridgeEvent(event.type, EVENT_SOURCE, event.detail)),
    );
  }

  return {
    aws,
    starter,
    bus,
    launches,
    deployment,
    env,
    invoke,
    outbox: {
      drain,
      settled,
    },
    close: async () => {
      launches.stop();
      await starter.stop();
      await settled();
      closed = true;
      await aws.close();
      installRuntime(undefined);
    },
    kill: async () => {
      killed = true;
      closed = true;
      launches.stop();
      starter.abandon();
      await aws.close();
      installRuntime(undefined);
    },
  };
}
