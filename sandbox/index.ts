import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { privateFolder } from "../local/private-files.ts";
import type { Chaos } from "./chaos.ts";
import type { HttpFault } from "./fault-queue.ts";
import { type FleetIds, fleetIds } from "./fleet.ts";
import type { RequestLogEntry } from "./http-sim-types.ts";
import { startDcsSimulator } from "./huawei/dcs.ts";
import { DEFAULT_DCS_INSTANCES } from "./huawei/dcs-model.ts";
import { DEFAULT_TAURUSDB_INSTANCE, startTaurusDbSimulator } from "./huawei/taurusdb.ts";
import { DEFAULT_PINECONE_INDEX, startPineconeSimulator } from "./pinecone.ts";
import type { InventoryEntry } from "./vendor-hooks.ts";
import { startZillizSimulator } from "./zilliz.ts";

/** The test hooks of one running vendor simulator, the same for every vendor. */
export interface SandboxSimulator {
  url: string;
  /** The bearer token its `/__sandbox/*` routes take (the same for every simulator). */
  adminToken: string;
  /** Queue transport faults (the vendor's own kinds go through `POST /__sandbox/faults`). */
  faults: { add(fault: HttpFault): void; clear(): void };
  chaos: Chaos;
  requests: RequestLogEntry[];
  /** Creates a finished backup directly in the model; `input` is checked by the vendor's schema. */
  seedBackup(input: object): string;
  inventory(): InventoryEntry[];
}

/** A running simulator as the sandbox describes it (one JSON object per vendor). */
export interface SandboxVendor {
  /** What `warden sandbox` prints: base URL, accepted credentials, demo resources. */
  describe: Record<string, unknown>;
  /** The secret a demo target names, and its value. */
  secret: { ref: string; value: Record<string, unknown> };
  /** A ready target spec pointing at the simulator. */
  demoTarget: Record<string, unknown>;
  /** Target specs of the fleet's resources (none unless a fleet was asked for). */
  fleetTargets: Record<string, unknown>[];
  /** Faults, chaos, the request log, backup seeding and the inventory, for tests. */
  simulator: SandboxSimulator;
  close(): Promise<void>;
}

/** Where and how the simulators run. */
export interface SandboxOptions {
  /** Folder for the simulators' state files; omit to keep state in memory. */
  dataDir?: string;
  /** First port; each vendor takes the next one. 0 = ephemeral ports. */
  basePort?: number;
  /** Vendor job duration, ms (default: each simulator's own). */
  jobDurationMs?: number;
  /** How long a vendor takes to finish a delete, ms (default: each simulator's own). */
  deleteDurationMs?: number;
  /** The bearer token of every simulator's `/__sandbox/*` routes; default a random one. */
  adminToken?: string;
  /** More resources per vendor beyond the demo ones, for fleets (lib: sandbox/fleet.ts). */
  fleet?: number;
  /**
   * Pinecone's backups per project (documented: 500 on Standard, 1,000 on Enterprise; the
   * simulator's default is 500). A fleet of more indexes in one project needs a raised one.
   */
  pineconeBackupQuota?: number;
  /**
   * Requests per second per caller and endpoint each simulator answers before HTTP 429
   * (Zilliz: its documented 20 unless given; the others enforce none unless given, their
   * limits being unpublished). Every refusal is marked in the request log.
   */
  rateLimits?: Partial<Record<string, number>>;
}

/** Where one vendor's simulator runs, as {@link startSandbox} decides it. */
interface VendorSlot {
  port: number;
  rateLimitPerSecond?: number;
  adminToken: string;
  stateFile?: string;
  jobDurationMs?: number;
  deleteDurationMs?: number;
  pineconeBackupQuota?: number;
}

/** What differs between vendors' sandbox entries; {@link sandboxVendor} builds the rest. */
interface VendorEntry {
  /** The provider id, also the suffix of the secret ref and the demo target id. */
  provider: string;
  /** The demo target's display name. */
  name: string;
  describe: Record<string, unknown>;
  secretValue: Record<string, unknown>;
  resource: Record<string, unknown>;
  /** The fleet's resources, as each target's `resource`. */
  fleetResources?: Record<string, unknown>[];
  simulator: SandboxSimulator;
  close(): Promise<void>;
}

/** One vendor's entry: its secret is `sandbox/<provider>`, its demo target `demo-<provider>`. */
function sandboxVendor(entry: VendorEntry): SandboxVendor {
  const ref = `sandbox/${entry.provider}`;
  return {
    describe: entry.describe,
    secret: { ref, value: entry.secretValue },
    demoTarget: {
      id: `demo-${entry.provider}`,
      name: entry.name,
      provider: entry.provider,
      secretRef: ref,
      resource: entry.resource,
      tags: { env: "sandbox" },
    },
    fleetTargets: (entry.fleetResources ?? []).map((resource, i) => ({
      id: `fleet-${entry.provider}-${String(i + 1).padStart(5, "0")}`,
      name: `Fleet ${entry.provider} ${i + 1} (sandbox)`,
      provider: entry.provider,
      secretRef: ref,
      resource,
      tags: { env: "sandbox", fleet: "true" },
    })),
    simulator: entry.simulator,
    close: entry.close,
  };
}

/** A Huawei vendor's entry: AK/SK credentials and a resource in the demo region. */
function huaweiVendor(
  sim: SandboxSimulator & { ak: string; sk: string; projectId: string; close(): Promise<void> },
  entry: {
    provider: string;
    name: string;
    instances: unknown;
    instanceId: string | undefined;
    fleet: string[];
  },
): SandboxVendor {
  const { url, ak, sk, projectId } = sim;
  const at = (instanceId: string | undefined) => ({
    region: "ap-southeast-1",
    projectId,
    instanceId,
    baseUrl: url,
  });
  return sandboxVendor({
    provider: entry.provider,
    name: entry.name,
    describe: { url, ak, sk, projectId, instances: entry.instances, fleet: entry.fleet.length },
    secretValue: { vendor: "huawei", ak, sk },
    resource: at(entry.instanceId),
    fleetResources: entry.fleet.map(at),
    simulator: sim,
    close: () => sim.close(),
  });
}

/** Zilliz's documented control-plane limit (docs/providers.md §1). */
export const ZILLIZ_RATE_LIMIT_PER_SECOND = 20;

/** Starters of every simulator: adding a vendor adds one entry. */
const SIMULATORS: Record<string, (slot: VendorSlot, fleet: FleetIds) => Promise<SandboxVendor>> = {
  zilliz: async (slot, fleet) => {
    // Two clusters: the demo target (and the demo policy) use the first; the second is yours.
    const demo = ["in01-7b3f9c2e5a1d804", "in01-5e1d0a9c3b7f226"];
    const sim = await startZillizSimulator({
      ...slot,
      restoreDurationMs: slot.jobDurationMs,
      clusters: [...demo, ...fleet.zillizClusters],
      // Zilliz documents 20 requests per second per user and endpoint: enforced, and each
      // refusal marked in the request log (`refusedForRate`).
      rateLimitPerSecond: slot.rateLimitPerSecond ?? ZILLIZ_RATE_LIMIT_PER_SECOND,
    });
    const { url, apiKey, projectId } = sim;
    const at = (clusterId: string | undefined) => ({
      clusterId,
      baseUrl: url,
      scope: { type: "CLUSTER" },
    });
    return sandboxVendor({
      provider: "zilliz",
      name: "Demo Zilliz cluster (sandbox)",
      describe: { url, apiKey, clusters: demo, fleet: fleet.zillizClusters.length, projectId },
      secretValue: { vendor: "zilliz", apiKey },
      resource: at(demo[0]),
      fleetResources: fleet.zillizClusters.map(at),
      simulator: sim,
      close: () => sim.close(),
    });
  },
  pinecone: async (slot, fleet) => {
    const { jobDurationMs, ...where } = slot;
    const demo = [DEFAULT_PINECONE_INDEX];
    const sim = await startPineconeSimulator({
      ...where,
      backupDurationMs: jobDurationMs,
      // A restore takes about as long as the backup did (the demo's: seconds).
      restoreDurationMs: jobDurationMs,
      ...(slot.pineconeBackupQuota ? { backupQuota: slot.pineconeBackupQuota } : {}),
      indexes: [...demo, ...fleet.pineconeIndexes],
    });
    const { url, apiKey } = sim;
    return sandboxVendor({
      provider: "pinecone",
      name: "Demo Pinecone index (sandbox)",
      describe: { url, apiKey, indexes: demo, fleet: fleet.pineconeIndexes.length },
      secretValue: { vendor: "pinecone", apiKey },
      resource: { indexName: demo[0], baseUrl: url },
      fleetResources: fleet.pineconeIndexes.map((indexName) => ({ indexName, baseUrl: url })),
      simulator: sim,
      close: () => sim.close(),
    });
  },
  "huawei-taurusdb": async (slot, fleet) => {
    const demo = [DEFAULT_TAURUSDB_INSTANCE];
    const sim = await startTaurusDbSimulator({
      ...slot,
      restoreDurationMs: slot.jobDurationMs,
      instances: [...demo, ...fleet.taurusDbInstances],
    });
    return huaweiVendor(sim, {
      provider: "huawei-taurusdb",
      name: "Demo TaurusDB instance (sandbox)",
      instances: demo,
      instanceId: demo[0],
      fleet: fleet.taurusDbInstances,
    });
  },
  "huawei-dcs": async (slot, fleet) => {
    const sim = await startDcsSimulator({
      ...slot,
      restoreDurationMs: slot.jobDurationMs,
      instances: [...DEFAULT_DCS_INSTANCES, ...fleet.dcsInstances],
    });
    // The master/standby instance: single-node DCS instances cannot be backed up.
    const ha = DEFAULT_DCS_INSTANCES.find((i) => i.cacheMode !== "single");
    return huaweiVendor(sim, {
      provider: "huawei-dcs",
      name: "Demo DCS Redis instance (sandbox)",
      instances: DEFAULT_DCS_INSTANCES.map((i) => ({ id: i.instanceId, mode: i.cacheMode })),
      instanceId: ha?.instanceId,
      fleet: fleet.dcsInstances.map((i) => i.instanceId),
    });
  },
};

/**
 * Starts every vendor simulator on loopback (the sandbox used by `npm start` and
 * `warden sandbox`).
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<{
  vendors: Record<string, SandboxVendor>;
  /** What every simulator's `/__sandbox/*` routes take as `Authorization: Bearer …`. */
  adminToken: string;
  close(): Promise<void>;
}> {
  if (options.dataDir) privateFolder(options.dataDir);
  const adminToken = options.adminToken ?? randomBytes(24).toString("base64url");
  const vendors: Record<string, SandboxVendor> = {};
  let offset = 0;
  const fleet = fleetIds(options.fleet ?? 0);
  try {
    for (const [name, start] of Object.entries(SIMULATORS)) {
      vendors[name] = await start(
        {
          port: options.basePort ? options.basePort + offset : 0,
          adminToken,
          stateFile: options.dataDir ? join(options.dataDir, `${name}.json`) : undefined,
          jobDurationMs: options.jobDurationMs,
          deleteDurationMs: options.deleteDurationMs,
          ...(options.pineconeBackupQuota
            ? { pineconeBackupQuota: options.pineconeBackupQuota }
            : {}),
          ...(options.rateLimits?.[name] === undefined
            ? {}
            : { rateLimitPerSecond: options.rateLimits[name] }),
        },
        fleet,
      );
      offset++;
    }
  } catch (error) {
    await Promise.all(Object.values(vendors).map((v) => v.close()));
    throw error;
  }
  return {
    vendors,
    adminToken,
    close: async () => {
      await Promise.all(Object.values(vendors).map((v) => v.close()));
    },
  };
}
