import { expect } from "vitest";
import { startDcsSimulator } from "../../sandbox/huawei/dcs.ts";
import { startTaurusDbSimulator } from "../../sandbox/huawei/taurusdb.ts";
import { startPineconeSimulator } from "../../sandbox/pinecone.ts";
import { startZillizSimulator } from "../../sandbox/zilliz.ts";
import {
  registryAdapter,
  simulatorClock,
  type VendorEnv,
  WRONG_KEY,
} from "./conformance-support.ts";

/**
 * Zilliz Cloud on its simulator. Conflicts come from the one-manual-job-per-cluster
 * rule; the list is newest first and only one job runs, so an in-flight backup is
 * always on the first page.
 */
export async function zillizEnv(): Promise<VendorEnv> {
  const clock = simulatorClock();
  const timings = { backupMs: 10_000, deleteMs: 5_000 };
  const sim = await startZillizSimulator({
    now: clock.now,
    jobDurationMs: timings.backupMs,
    deleteDurationMs: timings.deleteMs,
  });
  const clusterId = sim.clusters[0]!;
  const rawCreate = () =>
    fetch(`${sim.url}/v2/clusters/${clusterId}/backups/create`, {
      method: "POST",
      headers: { authorization: `Bearer ${sim.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ backupType: "CLUSTER" }),
    });
  return {
    resourceId: clusterId,
    ...clock,
    ...timings,
    faults: sim.faults,
    provider: (extra = {}) =>
      registryAdapter(
        {
          provider: "zilliz",
          resource: { clusterId, baseUrl: sim.url },
          secret: { apiKey: extra.badCredentials ? WRONG_KEY : sim.apiKey },
        },
        extra,
      ),
    failNextBackup: () => {
      sim.faults.add({ kind: "fail-next-job", reason: "insufficient storage in region" });
      return "insufficient storage in region";
    },
    // One manual backup job per cluster: a second create while it runs is refused.
    conflict: {
      on: "create",
      provoke: async (provider) => {
        await provider.createBackup({ backupId: "bk_busy" });
        return timings.backupMs;
      },
    },
    // One job at a time means the in-flight backup is always the newest one.
    inFlightAmong: async (count, start) => {
      for (let i = 0; i < count; i++) {
        expect((await rawCreate()).status).toBe(200);
        clock.advance(timings.backupMs);
      }
      return start();
    },
    close: () => sim.close(),
  } satisfies VendorEnv;
}

/**
 * Pinecone on its simulator. Conflicts come from a pending restore (HTTP 412 on
 * delete); newer, finished backups push an in-flight one past the first list page.
 */
export async function pineconeEnv(): Promise<VendorEnv> {
  const clock = simulatorClock();
  const timings = { backupMs: 10_000, deleteMs: 5_000, restoreMs: 30_000 };
  const sim = await startPineconeSimulator({
    now: clock.now,
    backupDurationMs: timings.backupMs,
    deleteDurationMs: timings.deleteMs,
    restoreDurationMs: timings.restoreMs,
  });
  const indexName = sim.indexes[0]!;
  return {
    resourceId: indexName,
    ...clock,
    ...timings,
    faults: sim.faults,
    provider: (extra = {}) =>
      registryAdapter(
        {
          provider: "pinecone",
          resource: { indexName, baseUrl: sim.url },
          secret: { apiKey: extra.badCredentials ? WRONG_KEY : sim.apiKey },
        },
        extra,
      ),
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
        return timings.restoreMs;
      },
    },
    // Newer backups that finished already push the in-flight one past the first page.
    inFlightAmong: async (count, start) => {
      const ref = await start();
      sim.seedBackups(count);
      return ref;
    },
    close: () => sim.close(),
  } satisfies VendorEnv;
}

/** Huawei TaurusDB on its simulator (row written by the Huawei adapter's engineer). */
export async function taurusDbEnv(): Promise<VendorEnv> {
  const clock = simulatorClock();
  const timings = { backupMs: 10_000, deleteMs: 5_000 };
  const sim = await startTaurusDbSimulator({
    now: clock.now,
    // Registry-built adapters sign with the wall clock; the gateway checks skew on it.
    gatewayNow: Date.now,
    jobDurationMs: timings.backupMs,
    deleteDurationMs: timings.deleteMs,
  });
  const instanceId = sim.instances[0]!;
  return {
    resourceId: instanceId,
    ...clock,
    ...timings,
    faults: sim.faults,
    provider: (extra = {}) =>
      registryAdapter(
        {
          provider: "huawei-taurusdb",
          resource: {
            region: "ap-southeast-1",
            projectId: sim.projectId,
            instanceId,
            baseUrl: sim.url,
          },
          secret: { ak: sim.ak, sk: extra.badCredentials ? WRONG_KEY : sim.sk },
        },
        extra,
      ),
    failNextBackup: () => {
      sim.faults.add({ kind: "fail-next-backup", reason: "insufficient OBS quota" });
      return "insufficient OBS quota";
    },
    // One backup at a time per instance: a second create while one builds is a 409.
    conflict: {
      on: "create",
      provoke: async (provider) => {
        await provider.createBackup({ backupId: "bk_busy" });
        return timings.backupMs;
      },
    },
    // One backup builds at a time, so the in-flight one is always the newest.
    inFlightAmong: async (count, start) => {
      clock.advance(count * 1_000);
      sim.seedBackups(count);
      return start();
    },
    close: () => sim.close(),
  } satisfies VendorEnv;
}

/** Huawei DCS on its simulator (row written by the Huawei adapter's engineer). */
export async function dcsEnv(): Promise<VendorEnv> {
  const clock = simulatorClock();
  const timings = { backupMs: 10_000, deleteMs: 5_000 };
  const sim = await startDcsSimulator({
    now: clock.now,
    gatewayNow: Date.now,
    jobDurationMs: timings.backupMs,
    deleteDurationMs: timings.deleteMs,
  });
  // The master/standby demo instance: single-node ones cannot be backed up.
  const instanceId = sim.instances.find((i) => i.cacheMode === "ha")!.instanceId;
  return {
    resourceId: instanceId,
    ...clock,
    ...timings,
    faults: sim.faults,
    provider: (extra = {}) =>
      registryAdapter(
        {
          provider: "huawei-dcs",
          resource: {
            region: "ap-southeast-1",
            projectId: sim.projectId,
            instanceId,
            baseUrl: sim.url,
          },
          secret: { ak: sim.ak, sk: extra.badCredentials ? WRONG_KEY : sim.sk },
        },
        extra,
      ),
    failNextBackup: () => {
      sim.faults.add({ kind: "fail-next-backup", errorCode: "dcs.08.0005" });
      return "dcs.08.0005";
    },
    // A backup running on the instance refuses another one (400 DCS.4096).
    conflict: {
      on: "create",
      provoke: async (provider) => {
        await provider.createBackup({ backupId: "bk_busy" });
        return timings.backupMs;
      },
    },
    inFlightAmong: async (count, start) => {
      clock.advance(count * 1_000);
      sim.seedBackups(count, instanceId);
      return start();
    },
    close: () => sim.close(),
  } satisfies VendorEnv;
}
