import { mkdirSync } from "node:fs";
import { join } from "node:path";
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
    const sim = await startZillizSimulator({
      port: o.port,
      stateFile: o.stateFile,
      jobDurationMs: o.jobDurationMs,
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
