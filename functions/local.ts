import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { stringify as stringifyYaml } from "yaml";
import * as z from "zod";
import { ApiClient } from "../cli/client.ts";
import { createConsole } from "../console/server.ts";
import { systemClock } from "../lib/core/clock.ts";
import { ChainedSecretSource, StaticSecretSource } from "../lib/providers/secrets.ts";
import { createTableClient } from "../lib/store/client.ts";
import { createStore } from "../lib/store/store.ts";
import { resumeInFlight } from "../lib/usecases/recover.ts";
import { jsonLinesSink } from "../local/aws/recorder.ts";
import { ensureTable, LOCAL_AWS, startDynalite } from "../local/dynamo.ts";
import { apiEvent, scheduledEvent } from "../local/events.ts";
import { startLocalHttpServer } from "../local/http-server.ts";
import { privateFolder, tightenTree, writePrivateFile } from "../local/private-files.ts";
import { EnvSecretSource, FileSecretSource } from "../local/secrets.ts";
import { every } from "../local/ticker.ts";
import { expireDueMarkers } from "../local/ttl.ts";
import { MAX_FLEET } from "../sandbox/fleet.ts";
import { type SandboxVendor, startSandbox } from "../sandbox/index.ts";
import { startSlackSink } from "../sandbox/slack-sink.ts";
import { Environment, OPERATOR_SETTINGS } from "./config.ts";
import { startLocalFunctions } from "./local-runtime.ts";
import { errorFields, log } from "./log.ts";
import { readSettings } from "./settings.ts";

/** Settings of the local runtime (`npm start`), from the environment. */
export const LocalSettings = z.object({
  WARDEN_DATA_DIR: z.string().default(".warden"),
  WARDEN_HOST: z.string().default("127.0.0.1"),
  WARDEN_PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  WARDEN_TOKEN: z.string().min(16, "WARDEN_TOKEN must be at least 16 characters").optional(),
  /** "0" runs without the vendor simulators (real targets only). */
  WARDEN_SANDBOX: z.enum(["0", "1"]).default("1"),
  /** First simulator port (default: WARDEN_PORT + 1). */
  WARDEN_SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** How long a simulated vendor backup takes. */
  WARDEN_SANDBOX_JOB_SECONDS: z.coerce.number().min(1).max(3600).default(20),
  /**
   * A fleet: this many more clusters, indexes and instances per simulator, and a
   * `fleet.yaml` of their targets in the data folder for `warden apply -f`.
   */
  WARDEN_SANDBOX_FLEET: z.coerce
    .number()
    .int("WARDEN_SANDBOX_FLEET must be a whole number")
    .min(0)
    .max(MAX_FLEET, `WARDEN_SANDBOX_FLEET must be at most ${MAX_FLEET}`)
    .default(0),
  /** Replace every workflow wait with this many seconds (default 3 in the sandbox, real waits otherwise). */
  WARDEN_POLL_SECONDS: z.coerce.number().min(0.01).max(600).optional(),
  WARDEN_SECRETS_FILE: z.string().default("secrets.local.json"),
  /** How often the dispatcher ticks (an EventBridge schedule, every minute, on AWS). */
  WARDEN_TICK_SECONDS: z.coerce.number().min(0.05).max(3600).default(10),
  /** How often the sweeper runs (every 15 minutes on AWS). */
  WARDEN_SWEEP_SECONDS: z.coerce.number().min(0.05).max(86_400).default(60),
  /** How often the reconciler compares every target with its vendor (hourly on AWS). */
  WARDEN_RECONCILE_SECONDS: z.coerce.number().min(0.05).max(86_400).default(300),
  /** How often emulated TTL expires due markers (DynamoDB does it on its own on AWS). */
  WARDEN_TTL_SECONDS: z.coerce.number().min(0.05).max(3600).default(5),
  /** "0" skips the demo policy the sandbox otherwise creates. */
  WARDEN_DEMO_POLICY: z.enum(["0", "1"]).default("1"),
  /** Appends every AWS call a function makes to this file, as JSON lines (the test suite). */
  WARDEN_AWS_CALL_LOG: z.string().optional(),
});
export type LocalSettings = z.infer<typeof LocalSettings>;

/** The functions' tunables an operator sets (checked at start, not at a function's first call). */
const OperatorSettings = Environment.pick(
  Object.fromEntries(OPERATOR_SETTINGS.map((name) => [name, true])) as Record<
    (typeof OPERATOR_SETTINGS)[number],
    true
  >,
);

/** The sandbox's demo policy: every minute, keeping the last 5 backups of the demo target, fresh within 5 minutes. */
export const DEMO_POLICY = {
  id: "demo-every-minute",
  name: "Demo: a backup every minute, keep the last 5",
  schedule: { expression: "rate(1 minute)", timeZone: "UTC" },
  targets: { ids: ["demo-zilliz"] },
  retention: { last: 5 },
  startWindowMinutes: 5,
  // Successes too, so a newcomer sees every scheduled backup reach Slack (the sink).
  notifications: { successes: "sandbox/slack" },
  // A restore drill a day: the newest backup restored into a scratch cluster, checked and
  // torn down; its verifiedAt shows it, and retention keeps the newest verified backup.
  verify: { every: "24h", maxMinutes: 30 },
  // A freshness objective of 5 minutes: disable the policy (or stop the scheduler) and the
  // demo target breaches it within minutes — announced on Slack and shown in the console.
  rpo: "5m",
};

/** The secret name of the sandbox's Slack sink webhook. */
const SANDBOX_SLACK_SECRET = "sandbox/slack";

/** A running local stack. */
export interface LocalRuntime {
  url: string;
  /** A one-time sign-in link to the console (valid 15 minutes, once). */
  consoleLink(): string;
  token: string;
  tokenFile: string;
  sandbox: Record<string, Record<string, unknown>>;
  /** With a sandbox fleet: the warden.yaml of its targets, and how many there are. */
  fleet?: { file: string; targets: number };
  /** The Slack sink's base URL (sandbox only): `GET {slackSink}/sandbox/slack/messages`. */
  slackSink?: string;
  resumed: string[];
  stop(): Promise<void>;
}

/**
 * The fleet's targets as a warden.yaml (`targets:` in the API's shapes), for
 * `warden apply -f <data>/fleet.yaml`; none without a fleet.
 */
function writeFleetFile(
  dataDir: string,
  vendors: Record<string, SandboxVendor>,
): { file: string; targets: number } | undefined {
  const targets = Object.values(vendors).flatMap((v) => v.fleetTargets);
  if (targets.length === 0) return undefined;
  const file = join(dataDir, "fleet.yaml");
  writePrivateFile(
    file,
    `# The sandbox fleet's targets (WARDEN_SANDBOX_FLEET): warden apply -f ${file} --yes\n${stringifyYaml({ targets })}`,
  );
  return { file, targets: targets.length };
}

function tokenOf(settings: LocalSettings, dataDir: string): { token: string; file: string } {
  const file = join(dataDir, "token");
  if (settings.WARDEN_TOKEN) {
    writePrivateFile(file, settings.WARDEN_TOKEN);
    return { token: settings.WARDEN_TOKEN, file };
  }
  if (existsSync(file)) {
    chmodSync(file, 0o600); // a file made by hand may be readable by others
    return { token: readFileSync(file, "utf8").trim(), file };
  }
  const token = randomBytes(24).toString("base64url");
  writePrivateFile(file, token);
  return { token, file };
}

/**
 * Starts the whole system on one machine: dynalite persisted under the data folder,
 * the state machines under aws-local-stepfunctions running the real handlers, the HTTP
 * API on loopback and, unless disabled, the vendor simulators with demo targets.
 * Records left in flight by a previous run are resumed.
 *
 * @throws SettingsError before anything starts, when a setting breaks its rule
 */
export async function startLocal(env: NodeJS.ProcessEnv = process.env): Promise<LocalRuntime> {
  const settings = readSettings(env, LocalSettings, OperatorSettings);
  const dataDir = resolve(settings.WARDEN_DATA_DIR);
  // What it holds is private (0700 folders, 0600 files): the token, the table, the state.
  privateFolder(dataDir);
  const { token, file: tokenFile } = tokenOf(settings, dataDir);
  const closers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const close of closers.reverse()) await close().catch(() => {});
  };
  try {
    // LevelDB writes its files with the process's umask (`warden dev` sets 077); an
    // earlier start's may be looser.
    tightenTree(join(dataDir, "dynamo"));
    const dynamo = await startDynalite({ path: join(dataDir, "dynamo") });
    closers.push(() => dynamo.close());
    const table = "backup-warden";
    await ensureTable(dynamo.endpoint, table);

    const sandboxOn = settings.WARDEN_SANDBOX === "1";
    if (sandboxOn) tightenTree(join(dataDir, "sandbox")); // the simulators' state files
    const sandboxPort =
      settings.WARDEN_SANDBOX_PORT ?? (settings.WARDEN_PORT === 0 ? 0 : settings.WARDEN_PORT + 1);
    const sandboxSecrets = new StaticSecretSource();
    const sandboxWebhooks = new StaticSecretSource();
    const sandbox = sandboxOn
      ? await startSandbox({
          dataDir: join(dataDir, "sandbox"),
          basePort: sandboxPort,
          jobDurationMs: settings.WARDEN_SANDBOX_JOB_SECONDS * 1000,
          fleet: settings.WARDEN_SANDBOX_FLEET,
          // Their /__sandbox/* routes take the API's own token.
          adminToken: token,
        })
      : undefined;
    if (sandbox) closers.push(() => sandbox.close());
    for (const vendor of Object.values(sandbox?.vendors ?? {}))
      sandboxSecrets.set(vendor.secret.ref, vendor.secret.value);
    // Slack: in the sandbox a local webhook sink records every message and prints a line.
    const sink = sandboxOn
      ? await startSlackSink({
          // The port after the simulators', so the sink's address is predictable too.
          port: sandboxPort === 0 ? 0 : sandboxPort + Object.keys(sandbox?.vendors ?? {}).length,
          adminToken: token,
          onMessage: (summary) => console.log(`slack ▸ ${summary}`),
        })
      : undefined;
    if (sink) {
      closers.push(() => sink.close());
      sandboxWebhooks.set(SANDBOX_SLACK_SECRET, { url: sink.webhookUrl("sandbox-alerts") });
    }

    const pollSeconds = settings.WARDEN_POLL_SECONDS ?? (sandboxOn ? 3 : undefined);
    const userSecrets = [
      new EnvSecretSource(env),
      new FileSecretSource(resolve(settings.WARDEN_SECRETS_FILE)),
    ];
    const functions = await startLocalFunctions({
      dynamodbEndpoint: dynamo.endpoint,
      table,
      providerSecrets: new ChainedSecretSource([sandboxSecrets, ...userSecrets]),
      webhookSecrets: new ChainedSecretSource([sandboxWebhooks, ...userSecrets]),
      env: {
        WARDEN_ALLOW_LOOPBACK_PROVIDERS: sandboxOn ? "1" : "0",
        WARDEN_VERSION: env.npm_package_version ?? "dev",
        // Tunables an operator may set for the functions, as a stack would pass them.
        ...Object.fromEntries(OPERATOR_SETTINGS.map((name) => [name, env[name]])),
        WARDEN_SLACK_WEBHOOK_SECRET: sink ? SANDBOX_SLACK_SECRET : env.WARDEN_SLACK_WEBHOOK_SECRET,
      },
      notifySlack: true,
      workflows: {
        ...(pollSeconds === undefined ? {} : { waitOverrideMs: pollSeconds * 1000 }),
        onOutcome: (o) =>
          log(
            o.status === "SUCCEEDED" ? "info" : "warn",
            `workflow ${o.workflow} ${o.status.toLowerCase()}`,
            { execution: o.name, ...(o.error ? { error: o.error } : {}) },
          ),
      },
      onDenied: (d) =>
        log("error", "access denied: a function used what it does not declare", {
          function: d.identity,
          action: d.call.action,
          resource: d.resource,
        }),
      ...(settings.WARDEN_AWS_CALL_LOG
        ? { onCall: jsonLinesSink(resolve(settings.WARDEN_AWS_CALL_LOG)) }
        : {}),
    });
    closers.push(() => functions.close());
    const { starter } = functions;
    const api = (request: { method: string; path: string; body: unknown }) =>
      functions.invoke("api", apiEvent(request)) as Promise<{ statusCode: number; body: string }>;
    // What the local runtime itself reads (resuming, TTL emulation), as an operator would.
    const store = createStore({
      db: createTableClient({ config: { ...LOCAL_AWS, endpoint: dynamo.endpoint } }),
      table,
      clock: systemClock,
    });

    // Demo targets and the demo policy go through the API itself, like any operator's would.
    const ensure = async (path: string, body: unknown) => {
      const created = await api({ method: "POST", path, body });
      if (created.statusCode !== 201 && created.statusCode !== 409) {
        throw new Error(
          `sandbox setup: POST ${path} answered ${created.statusCode}: ${created.body}`,
        );
      }
    };
    for (const vendor of Object.values(sandbox?.vendors ?? {}))
      await ensure("/v1/targets", vendor.demoTarget);
    // A fast demo policy so a newcomer sees scheduled backups (and expiry) within minutes.
    if (sandbox && settings.WARDEN_DEMO_POLICY === "1") await ensure("/v1/policies", DEMO_POLICY);

    // The console is a client of this very API (over loopback, with the token), so it
    // shows the API's data and is held to the API's rules.
    let apiUrl = "";
    const consoleApi = new ApiClient(
      {
        get apiUrl() {
          return apiUrl;
        },
        auth: { kind: "token", token },
      },
      fetch,
    );
    const operatorConsole = createConsole({
      api: consoleApi,
      token,
      log: (m, f) => log("error", m, f),
    });
    const http = await startLocalHttpServer({
      host: settings.WARDEN_HOST,
      port: settings.WARDEN_PORT,
      token,
      handler: (event) => functions.invoke("api", event) as never,
      console: operatorConsole.listener,
    });
    apiUrl = `${http.url}/v1`;
    closers.push(
      () =>
        new Promise<void>((done) => {
          http.server.closeAllConnections();
          http.server.close(() => done());
        }),
    );
    const resumed = await resumeInFlight({ backups: store.backups, workflows: starter });
    const report = (what: string) => (error: unknown) =>
      log("error", `${what} failed`, errorFields(error));
    const seconds = (s: number) => s * 1000;
    closers.push(
      // EventBridge schedules: each tick is a scheduled event, as on AWS.
      every(
        seconds(settings.WARDEN_TICK_SECONDS),
        () => functions.invoke("dispatch", scheduledEvent("DispatchTick")),
        report("dispatcher tick"),
      ),
      every(
        seconds(settings.WARDEN_SWEEP_SECONDS),
        () => functions.invoke("sweep", scheduledEvent("SweepTick")),
        report("sweep"),
      ),
      // As SST's Cron invokes it: a constant `{}`, every target.
      every(
        seconds(settings.WARDEN_RECONCILE_SECONDS),
        () => functions.invoke("reconcile", {}),
        report("reconciliation"),
      ),
      // The outbox's stream, emulated after every write; this pass is its backstop.
      every(
        seconds(settings.WARDEN_TICK_SECONDS),
        () => functions.outbox.drain(),
        report("outbox"),
      ),
      every(
        seconds(settings.WARDEN_TTL_SECONDS),
        () =>
          expireDueMarkers(
            store.expiry,
            (event) => functions.invoke("expiry-stream", event),
            new Date(),
            table,
          ),
        report("TTL emulation"),
      ),
    );
    const fleet = sandbox ? writeFleetFile(dataDir, sandbox.vendors) : undefined;
    return {
      url: http.url,
      consoleLink: () => `${http.url}${operatorConsole.loginPath()}`,
      token,
      tokenFile,
      ...(fleet ? { fleet } : {}),
      sandbox: Object.fromEntries(
        Object.entries(sandbox?.vendors ?? {}).map(([k, v]) => [k, v.describe]),
      ),
      resumed,
      ...(sink ? { slackSink: sink.url } : {}),
      stop,
    };
  } catch (error) {
    log("error", "local runtime failed to start", errorFields(error));
    await stop();
    throw error;
  }
}
