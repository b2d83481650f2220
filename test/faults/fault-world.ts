import { type LocalFunctions, startLocalFunctions } from "../../functions/local-runtime.ts";
import type { BackupRecord } from "../../lib/core/backup.ts";
import { StaticSecretSource } from "../../lib/providers/secrets.ts";
import { createStore, type Store } from "../../lib/store/store.ts";
import { resumeInFlight } from "../../lib/usecases/recover.ts";
import { apiEvent, scheduledEvent } from "../../local/events.ts";
import { mulberry32 } from "../../sandbox/chaos.ts";
import type { RequestLogEntry } from "../../sandbox/http-sim-types.ts";
import { type SandboxVendor, startSandbox } from "../../sandbox/index.ts";
import { type SlackSink, startSlackSink } from "../../sandbox/slack-sink.ts";
import type { InventoryEntry } from "../../sandbox/vendor-hooks.ts";
import { recordedCalls } from "../support/aws-calls.ts";
import { offsetClock } from "../support/clocks.ts";
import { dynaliteTable, type TestTable } from "../support/dynamo-engines.ts";
import type { VendorCall } from "./invariants.ts";

/*
 * The world the fault-injection suite runs in: dynalite, the four vendor simulators, the
 * Slack sink and every function as itself (the local runtime), which a test may kill as
 * `kill -9` would and start again on the same table and the same vendors.
 */

/** How a run is shaped; everything random in it comes from `seed`. */
export interface FaultRun {
  seed: number;
  /** Share of vendor requests that meet a fault. */
  rate: number;
  /** Client-side vendor timeout; held requests and responses outlast it. */
  timeoutMs: number;
}

export interface FaultWorld {
  table: TestTable;
  store: Store;
  vendors: SandboxVendor[];
  sink: SlackSink;
  functions: LocalFunctions;
  random: () => number;
  /** The functions' clock (the vendors keep real time): a test may move it on. */
  clock: ReturnType<typeof offsetClock>;
  /** Calls the API function as API Gateway would. */
  api(
    method: string,
    path: string,
    options?: { headers?: Record<string, string>; body?: unknown },
  ): Promise<{ status: number; json: any }>;
  /** `kill -9` of the whole runtime, then a fresh one on the same table, resuming what was in flight. */
  killAndRestart(): Promise<string[]>;
  /** Turns the vendors' chaos off. */
  calm(): void;
  /** Waits until no workflow runs and the outbox is published. */
  quiesce(): Promise<void>;
  close(): Promise<void>;
}

export async function startFaultWorld(run: FaultRun): Promise<FaultWorld> {
  const table = await dynaliteTable();
  const sandbox = await startSandbox({ jobDurationMs: 150, deleteDurationMs: 100 });
  const vendors = Object.values(sandbox.vendors);
  const sink = await startSlackSink();
  const providerSecrets = new StaticSecretSource(
    Object.fromEntries(vendors.map((v) => [v.secret.ref, v.secret.value])),
  );
  const webhookSecrets = new StaticSecretSource({
    "sandbox/slack": { url: sink.webhookUrl("alerts") },
  });
  const start = () =>
    startLocalFunctions({
      dynamodbEndpoint: table.endpoint,
      table: table.table,
      providerSecrets,
      webhookSecrets,
      env: {
        WARDEN_ALLOW_LOOPBACK_PROVIDERS: "1",
        WARDEN_PROVIDER_TIMEOUT_MS: String(run.timeoutMs),
        WARDEN_SLACK_WEBHOOK_SECRET: "sandbox/slack",
        WARDEN_ORPHAN_GRACE_HOURS: "0",
      },
      workflows: { waitOverrideMs: 20, retryOverrideMs: 5 },
      notifySlack: true,
      clock,
      // Its calls count for the permission matrix, and a refused one fails the run.
      onCall: recordedCalls(),
      onDenied: (d) => denials.push(`${d.identity} ${d.call.action} on ${d.resource}`),
    });
  const denials: string[] = [];
  const random = mulberry32(run.seed);
  const clock = offsetClock();
  const world: FaultWorld = {
    table,
    store: createStore({ db: table.db, table: table.table, clock: { now: () => new Date() } }),
    vendors,
    sink,
    functions: await start(),
    random,
    clock,
    api: async (method, path, options = {}) => {
      const result = (await world.functions.invoke(
        "api",
        apiEvent({ method, path, ...options, callerArn: "fault suite" }),
      )) as { statusCode: number; body: string };
      return { status: result.statusCode, json: result.body ? JSON.parse(result.body) : undefined };
    },
    killAndRestart: async () => {
      await world.functions.kill();
      world.functions = await start();
      return resumeInFlight({ backups: world.store.backups, workflows: world.functions.starter });
    },
    calm: () => {
      for (const v of vendors) v.simulator.chaos.set(undefined);
    },
    quiesce: async () => {
      for (let round = 0; round < 50; round++) {
        await world.functions.starter.idle();
        await world.functions.outbox.drain();
        await world.functions.outbox.settled();
        if (world.functions.starter.running === 0) return;
      }
      throw new Error("the runtime did not come to rest");
    },
    close: async () => {
      await world.functions.close();
      await sink.close();
      await sandbox.close();
      await table.close();
      if (denials.length > 0) throw new Error(`AWS calls refused: ${denials.join("; ")}`);
    },
  };
  // Each vendor's chaos is seeded from the run's seed, so a failing seed replays.
  for (const [i, v] of vendors.entries()) {
    v.simulator.chaos.set({
      seed: run.seed * 16 + i,
      rate: run.rate,
      kinds: ["status", "delay", "drop-response", "hold-response"],
      delayMs: run.timeoutMs * 2,
    });
  }
  return world;
}

/** The sweeper's tick, as EventBridge sends it. */
export function sweepEvent() {
  return scheduledEvent("SweepTick");
}

/** Every record of the catalogue (the by-time index, all pages). */
export async function allRecords(store: Store): Promise<BackupRecord[]> {
  const records: BackupRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.backups.list({ limit: 100, cursor });
    records.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return records;
}

/**
 * The adoption listings and the creates a vendor served, from its request log: what a
 * retried create looked at, and what it made.
 */
export function vendorCalls(world: FaultWorld, provider: string): VendorCall[] {
  const vendor = world.vendors.find((v) => v.demoTarget.provider === provider);
  const kindOf: Record<string, (r: RequestLogEntry) => VendorCall["kind"] | undefined> = {
    pinecone: (r) =>
      /^\/indexes\/[^/]+\/backups$/.test(r.path)
        ? r.method === "GET"
          ? "list"
          : r.method === "POST"
            ? "create"
            : undefined
        : undefined,
    "huawei-taurusdb": (r) =>
      r.method === "POST" && r.path.endsWith("/backups/create")
        ? "create"
        : r.method === "GET" && r.path.endsWith("/backups") && r.search.includes("instance_id=")
          ? "list"
          : undefined,
    "huawei-dcs": (r) =>
      r.path.endsWith("/backups")
        ? r.method === "POST"
          ? "create"
          : r.method === "GET" && r.search.includes("begin_time=")
            ? "list"
            : undefined
        : undefined,
  };
  const classify = kindOf[provider];
  if (!vendor || !classify) return [];
  return vendor.simulator.requests.flatMap((r) => {
    const kind = classify(r);
    // Held past the client's timeout (the request before the vendor acted, or the answer
    // after): the client never saw it, or gave up before the vendor made it.
    const held = r.injected?.some((f) => f.kind === "delay" || f.kind === "hold-response");
    return kind ? [{ kind, servedAt: r.servedAt, ok: r.status < 300 && !r.dropped && !held }] : [];
  });
}

/** Every backup every vendor holds, as the simulators know them. */
export function inventory(world: FaultWorld): InventoryEntry[] {
  return world.vendors.flatMap((v) => v.simulator.inventory());
}
