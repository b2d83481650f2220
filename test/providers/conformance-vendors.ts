import { expect } from "vitest";
import type { ProviderName } from "../../lib/core/target.ts";
import { startDcsSimulator } from "../../sandbox/huawei/dcs.ts";
import { startTaurusDbSimulator } from "../../sandbox/huawei/taurusdb.ts";
import { startPineconeSimulator } from "../../sandbox/pinecone.ts";
import { startZillizSimulator } from "../../sandbox/zilliz.ts";
import {
  type ConflictHook,
  type RestoreHooks,
  registryAdapter,
  simulatorClock,
  type VendorEnv,
  WRONG_KEY,
} from "./conformance-support.ts";

/** Simulated time a backup takes to finish, and a deletion to complete, for every row. */
const TIMINGS = { backupMs: 10_000, deleteMs: 5_000 };

/** What differs from row to row; `vendorEnv` adds what is the same for all. */
interface VendorParts
  extends Pick<VendorEnv, "failNextBackup" | "conflict" | "inFlightAmong" | "restore"> {
  sim: { faults: VendorEnv["faults"]; close(): Promise<void> };
  clock: ReturnType<typeof simulatorClock>;
  resourceId: string;
  /** The target the registry builds the adapter for, with good or refused credentials. */
  target(badCredentials: boolean): Parameters<typeof registryAdapter>[0];
}

function vendorEnv({ sim, clock, target, ...parts }: VendorParts): VendorEnv {
  return {
    ...parts,
    ...clock,
    ...TIMINGS,
    faults: sim.faults,
    provider: (extra = {}) => registryAdapter(target(extra.badCredentials === true), extra),
    close: () => sim.close(),
  };
}

/** A second create while a backup builds is refused (one job at a time on the resource). */
const busyWhileBuilding: ConflictHook = {
  on: "create",
  provoke: async (provider) => {
    await provider.createBackup({ backupId: "bk_busy" });
    return TIMINGS.backupMs;
  },
};

/** A target whose vendor takes an API key (Zilliz Cloud, Pinecone). */
function apiKeyTarget(provider: ProviderName, resource: Record<string, unknown>, apiKey: string) {
  return (badCredentials: boolean) => ({
    provider,
    resource,
    secret: { apiKey: badCredentials ? WRONG_KEY : apiKey },
  });
}

/**
 * A Huawei row: one instance of a project, AK/SK-signed, one backup building at a time (so
 * a second create is "busy", and the in-flight backup is always the newest one).
 */
function huaweiEnv(
  provider: ProviderName,
  sim: VendorParts["sim"] & {
    url: string;
    projectId: string;
    ak: string;
    sk: string;
    seedBackups(count: number, instanceId: string): unknown;
  },
  clock: VendorParts["clock"],
  instanceId: string,
  failNextBackup: VendorEnv["failNextBackup"],
  restore?: RestoreHooks,
): VendorEnv {
  return vendorEnv({
    ...(restore ? { restore } : {}),
    sim,
    clock,
    resourceId: instanceId,
    target: (badCredentials) => ({
      provider,
      resource: {
        region: "ap-southeast-1",
        projectId: sim.projectId,
        instanceId,
        baseUrl: sim.url,
      },
      secret: { ak: sim.ak, sk: badCredentials ? WRONG_KEY : sim.sk },
    }),
    failNextBackup,
    conflict: busyWhileBuilding,
    inFlightAmong: async (count, start) => {
      clock.advance(count * 1_000);
      sim.seedBackups(count, instanceId);
      return start();
    },
  });
}

/**
 * Zilliz Cloud on its simulator. Conflicts come from the one-manual-job-per-cluster
 * rule; the list is newest first and only one job runs, so an in-flight backup is
 * always on the first page. The row's target backs up the whole cluster, so a restore makes
 * a new cluster (restoreCluster); restoreCollection has its own test (zilliz-restore.test.ts).
 */
export async function zillizEnv(): Promise<VendorEnv> {
  const clock = simulatorClock();
  const restoreMs = 30_000;
  const sim = await startZillizSimulator({
    now: clock.now,
    jobDurationMs: TIMINGS.backupMs,
    deleteDurationMs: TIMINGS.deleteMs,
    restoreDurationMs: restoreMs,
  });
  const clusterId = sim.clusters[0]!;
  const rawCreate = () =>
    fetch(`${sim.url}/v2/clusters/${clusterId}/backups/create`, {
      method: "POST",
      headers: { authorization: `Bearer ${sim.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ backupType: "CLUSTER" }),
    });
  return vendorEnv({
    sim,
    clock,
    resourceId: clusterId,
    target: apiKeyTarget("zilliz", { clusterId, baseUrl: sim.url }, sim.apiKey),
    failNextBackup: () => {
      sim.faults.add({ kind: "fail-next-job", reason: "insufficient storage in region" });
      return "insufficient storage in region";
    },
    // One manual backup job per cluster: a second create while it runs is refused.
    conflict: busyWhileBuilding,
    // One job at a time means the in-flight backup is always the newest one.
    inFlightAmong: async (count, start) => {
      for (let i = 0; i < count; i++) {
        expect((await rawCreate()).status).toBe(200);
        clock.advance(TIMINGS.backupMs);
      }
      return start();
    },
    restore: {
      destination: () => ({ clusterName: "restore-drill", cuSize: 1 }),
      overwrites: false,
      restoreMs,
      failNextRestore: () => {
        sim.faults.add({ kind: "fail-next-restore", reason: "insufficient resources in region" });
        return "insufficient resources in region";
      },
      // A cluster of a Standard project has at most 32 CUs (documented): 96023 on restore.
      unusable: () => ({
        destination: { clusterName: "restore-drill", cuSize: 64 },
        cls: "INVALID",
      }),
      // Restoring a backup still CREATING is 96040 "…not available yet…": busy, retry later.
      notCompleteCls: "CONFLICT",
      resources: () => sim.clusterIds(),
      // No endpoint lists jobs: a lost restore is found by its cluster's name, without its job.
      findsJob: false,
    },
  });
}

/**
 * Pinecone on its simulator. Conflicts come from a pending restore (HTTP 412 on
 * delete); newer, finished backups push an in-flight one past the first list page.
 */
export async function pineconeEnv(): Promise<VendorEnv> {
  const clock = simulatorClock();
  const restoreMs = 30_000;
  const sim = await startPineconeSimulator({
    now: clock.now,
    backupDurationMs: TIMINGS.backupMs,
    deleteDurationMs: TIMINGS.deleteMs,
    restoreDurationMs: restoreMs,
  });
  const indexName = sim.indexes[0]!;
  return vendorEnv({
    sim,
    clock,
    resourceId: indexName,
    target: apiKeyTarget("pinecone", { indexName, baseUrl: sim.url }, sim.apiKey),
    failNextBackup: () => {
      sim.faults.add({ kind: "fail-next-backup", status: "InitializationFailed" });
      return "InitializationFailed";
    },
    // A pending restore from a backup blocks deleting it (HTTP 412).
    conflict: {
      on: "delete",
      provoke: async (_provider, available) => {
        const restore = await fetch(`${sim.url}/backups/${available.backupId}/create-index`, {
          method: "POST",
          headers: {
            "api-key": sim.apiKey,
            "x-pinecone-api-version": "2026-04",
            "content-type": "application/json",
          },
          body: JSON.stringify({ name: "restored-copy" }),
        });
        expect(restore.status).toBe(202);
        return restoreMs;
      },
    },
    // Newer backups that finished already push the in-flight one past the first page.
    inFlightAmong: async (count, start) => {
      const ref = await start();
      sim.seedBackups(count);
      return ref;
    },
    // Always into a new index; the source index's name is taken (409).
    restore: {
      destination: () => ({ indexName: "restored-drill" }),
      overwrites: false,
      restoreMs,
      // The restore job has no reason field: its status is what the reason carries.
      failNextRestore: () => {
        sim.faults.add({ kind: "fail-next-restore", status: "Failed" });
        return "Failed";
      },
      unusable: () => ({ destination: { indexName }, cls: "INVALID" }),
      // 412 FAILED_PRECONDITION "Backup … is not completed": try again once it is Ready.
      notCompleteCls: "CONFLICT",
      resources: () => sim.indexNames(),
    },
  });
}

/** Huawei TaurusDB on its simulator (row written by the Huawei adapter's engineer). */
export async function taurusDbEnv(): Promise<VendorEnv> {
  const clock = simulatorClock();
  const restoreMs = 60_000;
  const sim = await startTaurusDbSimulator({
    now: clock.now,
    // Registry-built adapters sign with the wall clock; the gateway checks skew on it.
    gatewayNow: Date.now,
    jobDurationMs: TIMINGS.backupMs,
    deleteDurationMs: TIMINGS.deleteMs,
    restoreDurationMs: restoreMs,
  });
  const instanceId = sim.instances[0]!;
  // Restores into a new instance shaped like the source (TaurusDB can also restore in place).
  const restore: RestoreHooks = {
    destination: () => ({ instanceName: "drill-restored-01" }),
    overwrites: false,
    restoreMs,
    failNextRestore: () => {
      sim.faults.add({ kind: "fail-next-restore", reason: "insufficient resources in the AZ" });
      return "insufficient resources in the AZ";
    },
    // Names may repeat at TaurusDB; the adapter refuses a taken one (the source's own).
    unusable: () => ({ destination: { instanceName: "taurus-6d0a4c" }, cls: "CONFLICT" }),
    notCompleteCls: "CONFLICT",
    resources: () => sim.instanceIds(),
  };
  // A second create while one builds is a 409.
  return huaweiEnv(
    "huawei-taurusdb",
    sim,
    clock,
    instanceId,
    () => {
      sim.faults.add({ kind: "fail-next-backup", reason: "insufficient OBS quota" });
      return "insufficient OBS quota";
    },
    restore,
  );
}

/** Huawei DCS on its simulator (row written by the Huawei adapter's engineer). */
export async function dcsEnv(): Promise<VendorEnv> {
  const clock = simulatorClock();
  const restoreMs = 30_000;
  const sim = await startDcsSimulator({
    now: clock.now,
    gatewayNow: Date.now,
    jobDurationMs: TIMINGS.backupMs,
    deleteDurationMs: TIMINGS.deleteMs,
    restoreDurationMs: restoreMs,
  });
  // The master/standby demo instance: single-node ones cannot be backed up.
  const instanceId = sim.instances.find((i) => i.cacheMode === "ha")!.instanceId;
  const other = sim.instances.find((i) => i.instanceId !== instanceId)!.instanceId;
  // A backup running on the instance refuses another one (400 DCS.4096).
  const env = huaweiEnv("huawei-dcs", sim, clock, instanceId, () => {
    sim.faults.add({ kind: "fail-next-backup", errorCode: "dcs.08.0005" });
    return "dcs.08.0005";
  });
  return {
    ...env,
    // DCS restores a backup only over the instance it was made of (docs/providers.md §4.6).
    restore: {
      destination: () => ({ instanceId, remark: "conformance drill" }),
      overwrites: true,
      restoreMs,
      failNextRestore: () => {
        sim.faults.add({ kind: "fail-next-restore", reason: "dcs.08.0007" });
        return "dcs.08.0007";
      },
      // Any other instance, even an existing one: the adapter refuses it before calling DCS.
      unusable: () => ({ destination: { instanceId: other }, cls: "INVALID" }),
      // DCS.4087: the backup record is not `succeed`.
      notCompleteCls: "INVALID",
      resources: () => sim.instances.map((i) => i.instanceId),
    },
  };
}
