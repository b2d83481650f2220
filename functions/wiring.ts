import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SFNClient } from "@aws-sdk/client-sfn";
import { createApiDispatcher } from "../lib/api/index.ts";
import { type Clock, systemClock } from "../lib/core/clock.ts";
import { ConfigurationError } from "../lib/core/errors.ts";
import { eventFromBackup, scheduleEvent } from "../lib/notify/event-builders.ts";
import { METRICS_NAMESPACE, type Metrics, noMetrics } from "../lib/notify/metrics.ts";
import {
  BestEffortPublisher,
  EventBridgePublisher,
  type EventPublisher,
} from "../lib/notify/publisher.ts";
import { digestRowsFromStore } from "../lib/notify/slack/digest-source.ts";
import { SlackNotifier } from "../lib/notify/slack/notifier.ts";
import { SlackSender } from "../lib/notify/slack/sender.ts";
import { createProviderFactory, type ProviderFactory } from "../lib/providers/registry.ts";
import type { SecretSource } from "../lib/providers/secrets.ts";
import { nextRun } from "../lib/schedule/index.ts";
import { BackupRepository } from "../lib/store/backups.ts";
import { createDocumentClient } from "../lib/store/client.ts";
import { ExpiryRepository } from "../lib/store/expiry.ts";
import { IdempotencyRepository } from "../lib/store/idempotency.ts";
import { LeaseRepository } from "../lib/store/leases.ts";
import { PolicyRepository } from "../lib/store/policies.ts";
import { RunRepository } from "../lib/store/runs.ts";
import { TargetRepository } from "../lib/store/targets.ts";
import { BackupService } from "../lib/usecases/backups.ts";
import { Dispatcher } from "../lib/usecases/dispatch.ts";
import { PolicyService } from "../lib/usecases/policies.ts";
import { RetentionService } from "../lib/usecases/retention.ts";
import { Sweeper } from "../lib/usecases/sweep.ts";
import { TargetService } from "../lib/usecases/targets.ts";
import { SfnWorkflowStarter } from "../lib/workflows/sfn-starter.ts";
import type { WorkflowStarter } from "../lib/workflows/starter.ts";
import { BackupTasks } from "../lib/workflows/tasks.ts";
import { type Environment, readEnvironment } from "./config.ts";
import { installNotifier } from "./event-middleware.ts";
import { errorFields, log } from "./log.ts";
import { emfMetrics } from "./metrics.ts";

/** Everything the handlers use, built once per process. */
export interface Container {
  tasks: BackupTasks;
  api: ReturnType<typeof createApiDispatcher>;
  backups: BackupRepository;
  targets: TargetRepository;
  expiry: ExpiryRepository;
  retention: RetentionService;
  dispatcher: Dispatcher;
  sweeper: Sweeper;
  workflows: WorkflowStarter;
  notifier: SlackNotifier;
}

/** What differs between AWS and the local runtime. */
export interface ContainerParts {
  env: Environment;
  secrets: SecretSource;
  workflows: WorkflowStarter;
  /** Where domain events go: EventBridge on AWS, the in-process bus locally. */
  events: EventPublisher;
  clock?: Clock;
  fetch?: typeof fetch;
  metrics?: Metrics;
}

/**
 * The composition root: builds clients, repositories, adapters and use cases from
 * typed configuration. Handlers never build anything themselves.
 */
export function buildContainer(parts: ContainerParts): Container {
  const { env } = parts;
  const clock = parts.clock ?? systemClock;
  const db = createDocumentClient({
    region: env.AWS_REGION,
    ...(env.WARDEN_DYNAMODB_ENDPOINT
      ? {
          endpoint: env.WARDEN_DYNAMODB_ENDPOINT,
          credentials: { accessKeyId: "local", secretAccessKey: "local" },
        }
      : {}),
  });
  const table = env.WARDEN_TABLE;
  const backups = new BackupRepository({ db, table, clock });
  const targets = new TargetRepository({ db, table });
  const leases = new LeaseRepository({ db, table, clock });
  const idempotency = new IdempotencyRepository({ db, table, clock });
  const policies = new PolicyRepository({ db, table });
  const runs = new RunRepository({ db, table });
  const expiry = new ExpiryRepository({ db, table });
  const workflows = parts.workflows;
  const allowLoopback = env.WARDEN_ALLOW_LOOPBACK_PROVIDERS === "1";
  const providers: ProviderFactory = createProviderFactory({
    secrets: parts.secrets,
    fetch: parts.fetch,
    timeoutMs: env.WARDEN_PROVIDER_TIMEOUT_MS,
    allowLoopback,
    ...(env.WARDEN_RATE_LIMITS ? { rateLimits: env.WARDEN_RATE_LIMITS } : {}),
  });
  const warn = (message: string, error: unknown) => log("warn", message, errorFields(error));
  const events = parts.events;
  const retention = new RetentionService({
    backups,
    targets,
    policies,
    expiry,
    workflows,
    clock,
    onExpiring: (record, reason) =>
      events.publish([eventFromBackup("backup.expiring", record, { reason })]),
  });
  const tasks = new BackupTasks({
    backups,
    targets,
    leases,
    expiry,
    providers,
    retention,
    clock,
    events,
    warn,
  });
  const dispatcher = new Dispatcher({
    policies,
    targets,
    backups,
    leases,
    runs,
    workflows,
    clock,
    nextRun,
    events,
    onOutcome: (outcome, policy, target) => {
      if (outcome.kind === "started") return;
      const facts = {
        policyId: policy.id,
        policyName: policy.name,
        targetId: target.id,
        targetName: target.name,
        provider: target.provider,
        scheduledAt: outcome.run.scheduledAt,
        occurredAt: clock.now().toISOString(),
      };
      return events.publish([
        outcome.kind === "skipped"
          ? scheduleEvent("schedule.skipped", {
              ...facts,
              reason: `the previous backup ${outcome.runningBackupId} is still running`,
              blockingBackupId: outcome.runningBackupId,
            })
          : scheduleEvent("schedule.missed", {
              ...facts,
              windowMinutes: outcome.startWindowMinutes,
            }),
      ]);
    },
  });
  const sweeper = new Sweeper({
    backups,
    targets,
    policies,
    expiry,
    retention,
    workflows,
    clock,
    warn,
  });
  const api = createApiDispatcher(
    {
      targets: new TargetService({
        targets,
        backups,
        idempotency,
        clock,
        allowLoopback,
        providers,
        expire: (id, reason) => retention.expire(id, reason),
      }),
      backups: new BackupService({
        backups,
        targets,
        leases,
        idempotency,
        workflows,
        clock,
        events,
      }),
      policies: new PolicyService({ policies, targets, idempotency, clock, nextRun }),
      retention,
      version: env.WARDEN_VERSION,
    },
    (error, request) =>
      log("error", "request failed", {
        method: request.method,
        path: request.path,
        ...errorFields(error),
      }),
  );
  const notifier = new SlackNotifier({
    sender: new SlackSender({ ...(parts.fetch ? { fetch: parts.fetch } : {}), clock }),
    secrets: parts.secrets,
    // Routing per policy: failures to one webhook, deletions and digests to another.
    resolveRouting: async ({ policyId }) =>
      policyId ? (await policies.find(policyId))?.notifications : undefined,
    defaultWebhookRef: env.WARDEN_SLACK_WEBHOOK_SECRET,
    metrics: parts.metrics ?? noMetrics,
    log,
  });
  installNotifier({ notifier, digestRows: (period) => digestRowsFromStore(backups, period) });
  return {
    tasks,
    api,
    backups,
    targets,
    expiry,
    retention,
    dispatcher,
    sweeper,
    workflows,
    notifier,
  };
}

/** Secrets Manager, cached per container (credentials rarely change; a cold start refreshes). */
class SecretsManagerSource implements SecretSource {
  readonly #client = new SecretsManagerClient({});
  readonly #prefix: string;
  readonly #cache = new Map<string, Promise<unknown>>();

  constructor(prefix: string) {
    this.#prefix = prefix;
  }

  get(ref: string): Promise<unknown> {
    let value = this.#cache.get(ref);
    if (!value) {
      value = this.#client
        .send(new GetSecretValueCommand({ SecretId: this.#prefix + ref }))
        .then((out) => {
          try {
            return JSON.parse(out.SecretString ?? "");
          } catch {
            throw new ConfigurationError(`secret ${ref} is not JSON`);
          }
        });
      value.catch(() => this.#cache.delete(ref));
      this.#cache.set(ref, value);
    }
    return value;
  }
}

let installed: Container | undefined;

/** Replaces the container (the local runtime and tests install theirs). */
export function installContainer(container: Container): void {
  installed = container;
}

/** The process's container; on AWS it is built from the environment on first use. */
export function container(): Container {
  if (!installed) {
    const env = readEnvironment();
    installed = buildContainer({
      env,
      secrets: new SecretsManagerSource(env.WARDEN_SECRET_PREFIX),
      events: awsEvents(env),
      metrics: emfMetrics(METRICS_NAMESPACE),
      workflows: new SfnWorkflowStarter({
        client: new SFNClient({}),
        // Only functions that start workflows get these; the others never call start().
        stateMachineArns: {
          "create-backup": env.WARDEN_CREATE_BACKUP_ARN ?? "",
          "delete-backup": env.WARDEN_DELETE_BACKUP_ARN ?? "",
        },
      }),
    });
  }
  return installed;
}

/** Domain events on AWS: EventBridge, best effort (a bus outage never fails a step). */
function awsEvents(env: Environment): EventPublisher {
  if (!env.WARDEN_EVENT_BUS) {
    return {
      publish: async (events) =>
        log("warn", "no event bus configured", { types: events.map((e) => e.type) }),
    };
  }
  return new BestEffortPublisher(
    new EventBridgePublisher({ client: new EventBridgeClient({}), busName: env.WARDEN_EVENT_BUS }),
    (error, events) =>
      log("error", "domain events not published", {
        types: events.map((e) => e.type),
        ...errorFields(error),
      }),
  );
}
