import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ProviderError } from "../../lib/core/provider-error.ts";
import {
  backupNameFor,
  PINECONE_API_VERSION,
  pineconeBackupState,
} from "../../lib/providers/pinecone/adapter.ts";
import { classifyPineconeError } from "../../lib/providers/pinecone/errors.ts";
import type { BackupProvider } from "../../lib/providers/port.ts";
import { checkTarget, createProviderFactory } from "../../lib/providers/registry.ts";
import { StaticSecretSource } from "../../lib/providers/secrets.ts";
import {
  type PineconeSimulator,
  SUPPORTED_API_VERSIONS,
  startPineconeSimulator,
} from "../../sandbox/pinecone.ts";
import { rejectionOf } from "../support/rejections.ts";
import { storedTarget } from "../support/targets.ts";

const T0 = Date.parse("2026-03-02T09:00:00Z");

const failure = (promise: Promise<unknown>) => rejectionOf(promise, ProviderError);

describe("classifyPineconeError", () => {
  it.each([
    [412, "FAILED_PRECONDITION", "pending restore jobs", "CONFLICT"],
    [402, "PAYMENT_REQUIRED", "", "QUOTA"],
    [403, "FORBIDDEN", "Backup quota exceeded", "QUOTA"],
    [403, "PERMISSION_DENIED", "not allowed", "AUTH"],
    [401, "UNAUTHENTICATED", "Invalid API key.", "AUTH"],
    [400, "INVALID_ARGUMENT", "", "INVALID"],
    [422, "UNPROCESSABLE_ENTITY", "", "INVALID"],
    [429, "RESOURCE_EXHAUSTED", "", "THROTTLED"],
    [429, "QUOTA_EXCEEDED", "exceeds the project quota", "QUOTA"],
    [404, "NOT_FOUND", "", "NOT_FOUND"],
    [500, "UNKNOWN", "", "TRANSIENT"],
    [503, undefined, "", "TRANSIENT"],
  ] as const)("HTTP %i %s → %s", (status, code, message, expected) => {
    expect(classifyPineconeError(status, code, message)).toBe(expected);
  });
});

describe("pineconeBackupState", () => {
  const base = { backup_id: "b1", source_index_name: "docs-example" };
  it.each([
    ["Initializing", "RUNNING"],
    ["Ready", "AVAILABLE"],
    ["Failed", "FAILED"],
    ["InitializationFailed", "FAILED"],
    ["Terminating", "RUNNING"],
  ] as const)("%s → %s", (status, expected) => {
    expect(pineconeBackupState({ ...base, status }).status).toBe(expected);
  });

  it("reports the size of a Ready backup and the status of a failed one", () => {
    expect(pineconeBackupState({ ...base, status: "Ready", size_bytes: 42 })).toMatchObject({
      sizeBytes: 42,
    });
    const failed = pineconeBackupState({ ...base, status: "InitializationFailed" });
    expect(failed.failureReason).toContain("InitializationFailed");
  });
});

describe("backupNameFor", () => {
  it("derives a valid Pinecone name from our backup id", () => {
    expect(backupNameFor("bk_01JD3XK5T9Q2")).toBe("bw-01jd3xk5t9q2");
    const long = backupNameFor(`bk_${"a".repeat(43)}-${"b".repeat(10)}`);
    expect(long.length).toBeLessThanOrEqual(45);
    expect(long).toMatch(/^[a-z0-9]([a-z0-9-]{0,43}[a-z0-9])?$/);
  });
});

describe("PineconeProvider against the simulator", () => {
  let clock: number;
  let sim: PineconeSimulator;
  const advance = (ms: number) => {
    clock += ms;
  };

  async function adapter(indexName = sim.indexes[0]!): Promise<BackupProvider> {
    const secrets = new StaticSecretSource({
      "pc/key": { vendor: "pinecone", apiKey: sim.apiKey },
    });
    const target = storedTarget(
      {
        id: "vectors",
        provider: "pinecone",
        secretRef: "pc/key",
        resource: { indexName, baseUrl: sim.url },
      },
      new Date(T0).toISOString(),
    );
    return createProviderFactory({ secrets, allowLoopback: true })(target);
  }

  beforeEach(async () => {
    clock = T0;
    sim = await startPineconeSimulator({
      now: () => clock,
      backupDurationMs: 60_000,
      podIndexes: ["legacy-pods"],
    });
  });
  afterEach(async () => {
    await sim.close();
  });

  it("pins an API version the simulator (and Pinecone) serves backups on", () => {
    expect(SUPPORTED_API_VERSIONS).toContain(PINECONE_API_VERSION);
  });

  it("creates a backup named after our id and reports it RUNNING", async () => {
    const provider = await adapter();
    const { ref, state } = await provider.createBackup({ backupId: "bk_01jd3xk5t9q2" });
    expect(ref.resourceId).toBe(sim.indexes[0]);
    expect(state).toEqual({ status: "RUNNING", providerStatus: "Initializing" });
    const listed = await fetch(`${sim.url}/backups/${ref.backupId}`, {
      headers: { "api-key": sim.apiKey, "x-pinecone-api-version": PINECONE_API_VERSION },
    });
    expect(await listed.json()).toMatchObject({
      name: "bw-01jd3xk5t9q2",
      description: "backup-warden bk_01jd3xk5t9q2",
    });
  });

  it("validates a target: serverless passes, pod-based is INVALID, missing is NOT_FOUND", async () => {
    await (await adapter()).validateTarget?.();
    expect((await failure((await adapter("legacy-pods")).validateTarget!())).cls).toBe("INVALID");
    expect((await failure((await adapter("gone")).validateTarget!())).cls).toBe("NOT_FOUND");
  });

  it("lists the index's backups since a time on every page, telling ours by our id", async () => {
    const provider = await adapter();
    const old = (await provider.createBackup({ backupId: "bk_old" })).ref;
    advance(30 * 60_000);
    const since = new Date(clock);
    const first = (await provider.createBackup({ backupId: "bk_first" })).ref;
    advance(1_000);
    const second = (await provider.createBackup({ backupId: "bk_second" })).ref;
    sim.seedBackups(150);
    const found = await provider.listBackups({ since });
    const ours = found.filter((b) => b.ownerId).map((b) => [b.ownerId, b.ref.backupId]);
    expect(ours.sort()).toEqual([
      ["bk_first", first.backupId],
      ["bk_second", second.backupId],
    ]);
    expect(found.map((b) => b.ref.backupId)).not.toContain(old.backupId);
    expect(found.length).toBeGreaterThan(100);
    const lists = sim.requests.filter((r) => r.path.endsWith("/backups") && r.method === "GET");
    expect(lists).toHaveLength(2);
    expect(lists[1]?.search).toContain("paginationToken=");
  });

  it("never counts an operator's own backup of the index as one of ours", async () => {
    const provider = await adapter();
    const since = new Date(clock);
    // An operator starts a backup of the same index by hand, named their way.
    const theirs = await fetch(`${sim.url}/indexes/${sim.indexes[0]}/backups`, {
      method: "POST",
      headers: {
        "api-key": sim.apiKey,
        "x-pinecone-api-version": PINECONE_API_VERSION,
        "content-type": "application/json",
      },
      // A name that starts like ours: only the exact shape of our generated names counts.
      body: JSON.stringify({ name: "bw-nightly", description: "made by ops" }),
    });
    expect(theirs.status).toBe(201);
    const ours = (await provider.createBackup({ backupId: "bk_ours" })).ref;

    const found = await provider.listBackups({ since });

    expect(found.map((b) => [b.ref.backupId, b.ownerId]).sort()).toEqual(
      [
        [ours.backupId, "bk_ours"],
        [((await theirs.json()) as { backup_id: string }).backup_id, undefined],
      ].sort(),
    );
  });

  it("is refused by the registry on any host but api.pinecone.io", async () => {
    const resource = (baseUrl?: string) => ({
      provider: "pinecone" as const,
      resource: { indexName: "docs-example", baseUrl },
    });
    await expect(checkTarget(resource(), {})).resolves.toBe("https://api.pinecone.io");
    await expect(checkTarget(resource("https://evil.example.com"), {})).rejects.toThrow(
      /allowed host/,
    );
    await expect(checkTarget(resource("http://api.pinecone.io"), {})).rejects.toThrow(
      /allowed host/,
    );
  });
});
