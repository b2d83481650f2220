import { type Clock, systemClock } from "../lib/core/clock.ts";
import { ConfigurationError } from "../lib/core/errors.ts";
import type { Metrics } from "../lib/notify/metrics.ts";
import { EventBridgePublisher, type EventPublisher } from "../lib/notify/publisher.ts";
import { TableRateBudget } from "../lib/providers/rate-budget.ts";
import { createProviderFactory, type ProviderFactory } from "../lib/providers/registry.ts";
import type { SecretSource } from "../lib/providers/secrets.ts";
import { SecretsManagerSource } from "../lib/providers/secrets-manager.ts";
import { type RunQueue, SqsRunQueue } from "../lib/schedule/run-queue.ts";
import { createTableClient, type TableClient } from "../lib/store/client.ts";
import { createStore, type Store } from "../lib/store/store.ts";
import { LambdaReconciliations, type Reconciliations } from "../lib/usecases/reconcile-lambda.ts";
import { LambdaRestorePreviewer } from "../lib/usecases/restore-preview-lambda.ts";
import type { RestorePreviewer } from "../lib/usecases/restores.ts";
import type { TargetValidator } from "../lib/usecases/target-validation.ts";
import { LambdaTargetValidator } from "../lib/usecases/target-validation-lambda.ts";
import { SfnWorkflowStarter } from "../lib/workflows/sfn-starter.ts";
import type { WorkflowStarter } from "../lib/workflows/starter.ts";
import { type AwsClients, type AwsSettings, awsClients, clientConfig } from "./aws-clients.ts";
import { CAPABILITIES, type Capability, WORKFLOW_ARN_VARIABLE } from "./capabilities.ts";
import { type Environment, readEnvironment } from "./config.ts";
import { once } from "./deferred.ts";
import { declares, type FunctionName } from "./manifest.ts";
import { powertoolsMetrics } from "./metrics.ts";

/**
 * What one function works with: the ports its declaration (functions/manifest.ts) allows,
 * each built on first use. Building a context sends nothing and loads no AWS SDK; a port
 * a function did not declare fails on first use with an error naming the capability, as
 * its IAM role would on AWS.
 */
export interface FunctionContext {
  readonly name: FunctionName;
  readonly env: Environment;
  readonly clock: Clock;
  readonly metrics: Metrics;
  readonly fetch?: typeof fetch;
  /** The table's repositories (`table:read`, `table:write`). */
  readonly store: Store;
  /** Domain events to the bus (`events:publish`); only the outbox publishes, and retries what fails. */
  readonly events: EventPublisher;
  /** `start:create-backup`, `start:delete-backup`. */
  readonly workflows: WorkflowStarter;
  /**
   * Vendor adapters with their credentials (`secrets:providers`), counting their calls in
   * the fleet's rate budget in the table (`table:update`).
   */
  readonly providers: ProviderFactory;
  /** Slack webhook URLs (`secrets:webhooks`). */
  readonly webhooks: SecretSource;
  /** Checks a new target at its vendor in the validate-target function (`invoke:validate-target`). */
  readonly targetValidator: TargetValidator;
  /** Reconciles a target in the reconcile function (`invoke:reconcile`). */
  readonly reconciliations: Reconciliations;
  /** Previews a restore at its vendor in the preview-restore function (`invoke:preview-restore`). */
  readonly restorePreviewer: RestorePreviewer;
  /** Claimed schedule runs to the launch queue (`queue:launch`). */
  readonly runQueue: RunQueue;
}

/** What differs between AWS and the local runtime; on AWS every part has its default. */
export interface RuntimeParts {
  /** A function's environment; default `process.env` (one function per process on AWS). */
  env?: (name: FunctionName) => NodeJS.ProcessEnv;
  clock?: Clock;
  fetch?: typeof fetch;
  metrics?: Metrics;
  /** Told about every SDK client a function builds (the test suite's call recorder). */
  onClient?: (
    name: FunctionName,
    ...args: Parameters<NonNullable<AwsSettings["onClient"]>>
  ) => void;
}

/** The variable a capability needs was not set: the function does not declare it. */
function missing(name: FunctionName, capability: Capability, variable: string): never {
  throw new ConfigurationError(
    declares(name, capability)
      ? `function ${name} declares ${capability} but ${variable} is not set`
      : `function ${name} cannot ${CAPABILITIES[capability].purpose}: it does not declare ${capability} in functions/manifest.ts`,
  );
}

/**
 * The composition root: one function's context from its environment. Handlers never build
 * anything themselves; they ask {@link contextOf} for theirs.
 */
export function buildContext(name: FunctionName, parts: RuntimeParts = {}): FunctionContext {
  const env = readEnvironment(parts.env?.(name) ?? process.env);
  const clock = parts.clock ?? systemClock;
  const aws: AwsSettings = {
    region: env.AWS_REGION,
    ...(env.WARDEN_AWS_ENDPOINT ? { endpoint: env.WARDEN_AWS_ENDPOINT, identity: name } : {}),
    ...(parts.onClient
      ? { onClient: (client, service) => parts.onClient?.(name, client, service) }
      : {}),
  };
  const clients: AwsClients = awsClients(aws);
  const metrics = once(() => parts.metrics ?? powertoolsMetrics());

  const table = once((): TableClient => {
    if (!env.WARDEN_TABLE) missing(name, "table:get", "WARDEN_TABLE");
    return createTableClient({
      config: clientConfig(aws),
      ...(aws.onClient ? { onClient: (client) => aws.onClient?.(client, "dynamodb") } : {}),
    });
  });
  // Repositories hold the client; it is resolved (and the SDK loaded) on the first call.
  const db: TableClient = {
    get: async (input) => table().get(input),
    put: async (input) => table().put(input),
    update: async (input) => table().update(input),
    delete: async (input) => table().delete(input),
    query: async (input) => table().query(input),
  };
  const store = once(() => createStore({ db, table: env.WARDEN_TABLE ?? "", clock }));

  const events = once((): EventPublisher => {
    const busName = env.WARDEN_EVENT_BUS;
    if (!busName) missing(name, "events:publish", "WARDEN_EVENT_BUS");
    // Not best effort any more: the outbox keeps what the bus refused, for the next try.
    return new EventBridgePublisher({
      client: { send: async (command) => (await clients.eventBridge()).send(command) },
      busName,
    });
  });

  const secretSource = (capability: Capability, variable: string, prefix: string | undefined) =>
    once((): SecretSource => {
      if (!prefix) missing(name, capability, variable);
      return new SecretsManagerSource({ client: clients.secretsManager, prefix });
    });
  const providerSecrets = secretSource(
    "secrets:providers",
    "WARDEN_PROVIDER_SECRET_PREFIX",
    env.WARDEN_PROVIDER_SECRET_PREFIX,
  );
  const webhookSecrets = secretSource(
    "secrets:webhooks",
    "WARDEN_WEBHOOK_SECRET_PREFIX",
    env.WARDEN_WEBHOOK_SECRET_PREFIX,
  );
  const providers = once(() =>
    createProviderFactory({
      secrets: providerSecrets(),
      fetch: parts.fetch,
      timeoutMs: env.WARDEN_PROVIDER_TIMEOUT_MS,
      allowLoopback: env.WARDEN_ALLOW_LOOPBACK_PROVIDERS === "1",
      ...(env.WARDEN_RATE_LIMITS ? { rateLimits: env.WARDEN_RATE_LIMITS } : {}),
      // On the wall clock, never the context's: the windows must be the vendor's seconds.
      budget: new TableRateBudget({ db, table: env.WARDEN_TABLE ?? "" }),
    }),
  );

  const workflows = new SfnWorkflowStarter({
    client: clients.sfn,
    stateMachineArn: (workflow) => {
      const variable = WORKFLOW_ARN_VARIABLE[workflow];
      return env[variable] || missing(name, `start:${workflow}`, variable);
    },
  });

  const validator = once((): TargetValidator => {
    const functionName = env.WARDEN_VALIDATE_TARGET_FUNCTION;
    if (!functionName) missing(name, "invoke:validate-target", "WARDEN_VALIDATE_TARGET_FUNCTION");
    return new LambdaTargetValidator({ client: clients.lambda, functionName });
  });
  const previewer = once((): RestorePreviewer => {
    const functionName = env.WARDEN_PREVIEW_RESTORE_FUNCTION;
    if (!functionName) missing(name, "invoke:preview-restore", "WARDEN_PREVIEW_RESTORE_FUNCTION");
    return new LambdaRestorePreviewer({ client: clients.lambda, functionName });
  });
  const reconcile = once((): Reconciliations => {
    const functionName = env.WARDEN_RECONCILE_FUNCTION;
    if (!functionName) missing(name, "invoke:reconcile", "WARDEN_RECONCILE_FUNCTION");
    return new LambdaReconciliations({ client: clients.lambda, functionName });
  });

  const runQueue = new SqsRunQueue({
    client: clients.sqs,
    queueUrl: () =>
      env.WARDEN_LAUNCH_QUEUE_URL || missing(name, "queue:launch", "WARDEN_LAUNCH_QUEUE_URL"),
  });

  return {
    name,
    env,
    clock,
    get metrics() {
      return metrics();
    },
    ...(parts.fetch ? { fetch: parts.fetch } : {}),
    get store() {
      return store();
    },
    // Each port resolves its capability on first use, so an undeclared one rejects there.
    events: { publish: async (published) => events().publish(published) },
    workflows,
    providers: async (target) => providers()(target),
    webhooks: { get: async (ref) => webhookSecrets().get(ref) },
    targetValidator: { validate: async (target) => validator().validate(target) },
    reconciliations: { run: async (targetId, options) => reconcile().run(targetId, options) },
    restorePreviewer: {
      preview: async (target, backup, destination) =>
        previewer().preview(target, backup, destination),
    },
    runQueue,
  };
}

let runtime: RuntimeParts | undefined;
const contexts = new Map<FunctionName, FunctionContext>();

/**
 * Replaces the runtime parts (the local runtime and tests install theirs); contexts built
 * before are dropped.
 */
export function installRuntime(parts: RuntimeParts | undefined): void {
  runtime = parts;
  contexts.clear();
}

/** The context of function `name`, built on first use and kept for the process. */
export function contextOf(name: FunctionName): FunctionContext {
  let context = contexts.get(name);
  if (!context) {
    context = buildContext(name, runtime);
    contexts.set(name, context);
  }
  return context;
}
