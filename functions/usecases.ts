import { createApiDispatcher } from "../lib/api/index.ts";
import { digestRowsFromStore } from "../lib/notify/slack/digest-source.ts";
import { SlackNotifier } from "../lib/notify/slack/notifier.ts";
import { SlackSender } from "../lib/notify/slack/sender.ts";
import { nextRun } from "../lib/schedule/index.ts";
import { BackupTasks } from "../lib/usecases/backup-tasks.ts";
import { BackupService } from "../lib/usecases/backups.ts";
import { ComplianceService } from "../lib/usecases/compliance.ts";
import { Dispatcher } from "../lib/usecases/dispatch.ts";
import { DrillScheduler } from "../lib/usecases/drills.ts";
import { RunLauncher } from "../lib/usecases/launch-run.ts";
import { OutboxPublisher } from "../lib/usecases/outbox.ts";
import { PolicyService } from "../lib/usecases/policies.ts";
import { Reconciler } from "../lib/usecases/reconcile.ts";
import { RestoreService, RestoreTasks } from "../lib/usecases/restores.ts";
import { RetentionService } from "../lib/usecases/retention.ts";
import { Sweeper } from "../lib/usecases/sweep.ts";
import { VendorTargetValidator } from "../lib/usecases/target-validation.ts";
import { TargetService } from "../lib/usecases/targets.ts";
import { UsageService } from "../lib/usecases/usage.ts";
import { appendLogKeys, errorFields, log } from "./log.ts";
import type { FunctionContext } from "./root.ts";

/*
 * The use cases, each built from a function's context on first use and kept with it.
 * A handler imports only the factory it calls, so its bundle holds only that use case and
 * what it needs (package.json `sideEffects: false` lets esbuild drop the rest).
 */

/** One value per context, built on first use. */
function perContext<T>(build: (c: FunctionContext) => T): (c: FunctionContext) => T {
  const built = new WeakMap<FunctionContext, T>();
  return (c) => {
    let value = built.get(c);
    if (value === undefined) {
      value = build(c);
      built.set(c, value);
    }
    return value;
  };
}

const warn = (message: string, error: unknown) => log("warn", message, errorFields(error));

/** The retention lifecycle (plans, guards, EXPIRING, delete workflow). */
export const retention = /* @__PURE__ */ perContext(
  (c) =>
    new RetentionService({
      ...c.store,
      workflows: c.workflows,
      clock: c.clock,
    }),
);

/** The workflow task bodies. */
export const backupTasks = /* @__PURE__ */ perContext(
  (c) =>
    new BackupTasks({
      ...c.store,
      providers: c.providers,
      retention: retention(c),
      clock: c.clock,
      warn,
      annotate: appendLogKeys,
    }),
);

/** The restore-backup workflow's task bodies. */
export const restoreTasks = /* @__PURE__ */ perContext(
  (c) => new RestoreTasks({ ...c.store, providers: c.providers, clock: c.clock }),
);

/** Vendor backups against the catalogue. */
export const reconciler = /* @__PURE__ */ perContext(
  (c) =>
    new Reconciler({
      ...c.store,
      providers: c.providers,
      retention: retention(c),
      workflows: c.workflows,
      clock: c.clock,
      orphanGraceMs: c.env.WARDEN_ORPHAN_GRACE_HOURS * 3_600_000,
      warn,
    }),
);

/** Domain events from the outbox to the bus. */
export const outboxPublisher = /* @__PURE__ */ perContext(
  (c) => new OutboxPublisher({ outbox: c.store.outbox, events: c.events, warn }),
);

/** The schedule tick: due policies, claimed runs, to the launch queue. */
export const dispatcher = /* @__PURE__ */ perContext(
  (c) =>
    new Dispatcher({
      ...c.store,
      queue: c.runQueue,
      clock: c.clock,
      nextRun,
      warn,
    }),
);

/** The launch queue's consumer: one claimed run, launched. */
export const runLauncher = /* @__PURE__ */ perContext(
  (c) =>
    new RunLauncher({
      ...c.store,
      workflows: c.workflows,
      clock: c.clock,
      warn,
      maxCompletionWindowMinutes: c.env.WARDEN_MAX_COMPLETION_WINDOW_HOURS * 60,
    }),
);

/** Every target against its freshness objective (the API's report, the sweeper's monitor). */
export const compliance = /* @__PURE__ */ perContext(
  (c) => new ComplianceService({ ...c.store, clock: c.clock }),
);

/** The safety-net sweep. */
export const sweeper = /* @__PURE__ */ perContext(
  (c) =>
    new Sweeper({
      ...c.store,
      drills: new DrillScheduler({ ...c.store, workflows: c.workflows, clock: c.clock }),
      compliance: compliance(c),
      metrics: c.metrics,
      outbox: outboxPublisher(c),
      retention: retention(c),
      workflows: c.workflows,
      clock: c.clock,
      warn,
    }),
);

/** The `/v1` API as one dispatch function over the route table. */
export const api = /* @__PURE__ */ perContext((c) => {
  const allowLoopback = c.env.WARDEN_ALLOW_LOOPBACK_PROVIDERS === "1";
  return createApiDispatcher(
    {
      targets: new TargetService({
        ...c.store,
        clock: c.clock,
        allowLoopback,
        maxCompletionWindowMinutes: c.env.WARDEN_MAX_COMPLETION_WINDOW_HOURS * 60,
        validator: c.targetValidator,
        expire: (id, reason) => retention(c).expire(id, reason),
      }),
      backups: new BackupService({
        ...c.store,
        workflows: c.workflows,
        clock: c.clock,
        maxCompletionWindowMinutes: c.env.WARDEN_MAX_COMPLETION_WINDOW_HOURS * 60,
        // The hold is lifted either way; what retention does next must not undo the
        // answer (the sweeper finds anything left past its expiry).
        onGuardLifted: (record) =>
          retention(c)
            .reexamineTarget(record.targetId)
            .catch((error: unknown) =>
              log("warn", "retention after a lifted hold failed", {
                backupId: record.id,
                ...errorFields(error),
              }),
            ),
      }),
      policies: new PolicyService({ ...c.store, clock: c.clock, nextRun }),
      restores: new RestoreService({
        ...c.store,
        workflows: c.workflows,
        previewer: c.restorePreviewer,
        clock: c.clock,
      }),
      retention: retention(c),
      reconciliations: c.reconciliations,
      compliance: compliance(c),
      usage: new UsageService({ ...c.store, clock: c.clock }),
      version: c.env.WARDEN_VERSION,
    },
    (error, request) =>
      log("error", "request failed", {
        method: request.method,
        path: request.path,
        ...errorFields(error),
      }),
  );
});

/** Vendor validation of a new target, with the target's credentials. */
export const vendorValidator = /* @__PURE__ */ perContext(
  (c) => new VendorTargetValidator(c.providers),
);

/** Slack: one message per event worth a human's attention, and the daily digest. */
export const slack = /* @__PURE__ */ perContext((c) => ({
  notifier: new SlackNotifier({
    sender: new SlackSender({ ...(c.fetch ? { fetch: c.fetch } : {}), clock: c.clock }),
    secrets: c.webhooks,
    // Routing per policy: failures to one webhook, deletions and digests to another.
    resolveRouting: async ({ policyId }) =>
      policyId ? (await c.store.policies.find(policyId))?.notifications : undefined,
    defaultWebhookRef: c.env.WARDEN_SLACK_WEBHOOK_SECRET,
    metrics: c.metrics,
    log,
    // The local runtime's sink listens on loopback, as its simulators do.
    allowLoopbackWebhooks: c.env.WARDEN_ALLOW_LOOPBACK_PROVIDERS === "1",
    deliveries: {
      claim: (eventId, token) => c.store.deliveries.claim("notify-slack", eventId, token),
      finish: (eventId, token, status) =>
        c.store.deliveries.finish("notify-slack", eventId, token, status),
    },
  }),
  digestRows: (period: Parameters<typeof digestRowsFromStore>[1]) =>
    digestRowsFromStore(c.store.backups, period),
  /** The storage bill, as the digest shows it. */
  storage: async () => {
    const usage = await new UsageService({ ...c.store, clock: c.clock }).report();
    return { ...usage, dayBeforeBytes: usage.series.at(-2)?.totalBytes };
  },
}));
