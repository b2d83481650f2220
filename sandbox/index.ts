import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { startDcsSimulator } from "./huawei/dcs.ts";
import { startTaurusDbSimulator } from "./huawei/taurusdb.ts";
import { startPineconeSimulator } from "./pinecone.ts";
import { startZillizSimulator } from "./zilliz.ts";

/** A running simulator as the sandbox describes it (one JSON object per vendor). */
export interface SandboxVendor {
  /** What `warden sandbox` prints: base URL, accepted credentials, demo resources. */
  describe: Record<string, unknown>;
  /** The secret a demo target names, and its value. */
  secret: { ref: string; value: Record<string, unknown> };
  /** A ready target spec pointing at the simulator. */
  demoTarget: Record<string, unknown>;
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
}

/** Starters of every simulator: adding a vendor adds one entry. */
const SIMULATORS: Record<
  string,
  (o: { port: number; stateFile?: string; jobDurationMs?: number }) => Promise<SandboxVendor>
> = {
  zilliz: async (o) => {
    // Two clusters: the demo target (and the demo policy) use the first; the second is yours.
    const sim = await startZillizSimulator({
      port: o.port,
      stateFile: o.stateFile,
      jobDurationMs: o.jobDurationMs,
      clusters: ["in01-7b3f9c2e5a1d804", "in01-5e1d0a9c3b7f226"],
    });
    return {
      describe: {
        url: sim.url,
        apiKey: sim.apiKey,
        clusters: sim.clusters,
        projectId: sim.projectId,
      },
      secret: { ref: "sandbox/zilliz", value: { apiKey: sim.apiKey } },
      demoTarget: {
        id: "demo-zilliz",
        name: "Demo Zilliz cluster (sandbox)",
        provider: "zilliz",
        secretRef: "sandbox/zilliz",
        resource: { clusterId: sim.clusters[0], baseUrl: sim.url, scope: { type: "CLUSTER" } },
        tags: { env: "sandbox" },
      },
      close: () => sim.close(),
    };
  },
  pinecone: async (o) => {
    const sim = await startPineconeSimulator({
      port: o.port,
      stateFile: o.stateFile,
      backupDurationMs: o.jobDurationMs,
    });
    return {
      describe: { url: sim.url, apiKey: sim.apiKey, indexes: sim.indexes },
      secret: { ref: "sandbox/pinecone", value: { apiKey: sim.apiKey } },
      demoTarget: {
        id: "demo-pinecone",
        name: "Demo Pinecone index (sandbox)",
        provider: "pinecone",
        secretRef: "sandbox/pinecone",
        resource: { indexName: sim.indexes[0], baseUrl: sim.url },
        tags: { env: "sandbox" },
      },
      close: () => sim.close(),
    };
  },
  "huawei-taurusdb": async (o) => {
    const sim = await startTaurusDbSimulator({
      port: o.port,
      stateFile: o.stateFile,
      jobDurationMs: o.jobDurationMs,
    });
    return {
      describe: {
        url: sim.url,
        ak: sim.ak,
        sk: sim.sk,
        projectId: sim.projectId,
        instances: sim.instances,
      },
      secret: { ref: "sandbox/huawei-taurusdb", value: { ak: sim.ak, sk: sim.sk } },
      demoTarget: {
        id: "demo-huawei-taurusdb",
        name: "Demo TaurusDB instance (sandbox)",
        provider: "huawei-taurusdb",
        secretRef: "sandbox/huawei-taurusdb",
        resource: {
          region: "ap-southeast-1",
          projectId: sim.projectId,
          instanceId: sim.instances[0],
          baseUrl: sim.url,
        },
        tags: { env: "sandbox" },
      },
      close: () => sim.close(),
    };
  },
  "huawei-dcs": async (o) => {
    const sim = await startDcsSimulator({
      port: o.port,
      stateFile: o.stateFile,
      jobDurationMs: o.jobDurationMs,
    });
    // The master/standby instance: single-node DCS instances cannot be backed up.
    const ha = sim.instances.find((i) => i.cacheMode !== "single") ?? sim.instances[0];
    return {
      describe: {
        url: sim.url,
        ak: sim.ak,
        sk: sim.sk,
        projectId: sim.projectId,
        instances: sim.instances.map((i) => ({ id: i.instanceId, mode: i.cacheMode })),
      },
      secret: { ref: "sandbox/huawei-dcs", value: { ak: sim.ak, sk: sim.sk } },
      demoTarget: {
        id: "demo-huawei-dcs",
        name: "Demo DCS Redis instance (sandbox)",
        provider: "huawei-dcs",
        secretRef: "sandbox/huawei-dcs",
        resource: {
          region: "ap-southeast-1",
          projectId: sim.projectId,
          instanceId: ha?.instanceId,
          baseUrl: sim.url,
        },
        tags: { env: "sandbox" },
      },
      close: () => sim.close(),
    };
  },
};

/**
 * Starts every vendor simulator on loopback (the sandbox used by `npm start` and
 * `warden sandbox`).
 */
export async function startSandbox(
  options: SandboxOptions = {},
): Promise<{ vendors: Record<string, SandboxVendor>; close(): Promise<void> }> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const vendors: Record<string, SandboxVendor> = {};
  let offset = 0;
  try {
    for (const [name, start] of Object.entries(SIMULATORS)) {
      vendors[name] = await start({
        port: options.basePort ? options.basePort + offset : 0,
        stateFile: options.dataDir ? join(options.dataDir, `${name}.json`) : undefined,
        jobDurationMs: options.jobDurationMs,
      });
      offset++;
    }
  } catch (error) {
    await Promise.all(Object.values(vendors).map((v) => v.close()));
    throw error;
  }
  return {
    vendors,
    close: async () => {
      await Promise.all(Object.values(vendors).map((v) => v.close()));
    },
  };
}
