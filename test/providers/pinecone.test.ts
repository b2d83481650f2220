import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ProviderError } from "../../lib/core/provider-error.ts";
import {
  backupNameFor,
  PINECONE_API_VERSION,
  pineconeBackupState,
} from "../../lib/providers/pinecone/adapter.ts";
import { classifyPineconeError } from "../../lib/providers/pinecone/errors.ts";
import { pineconeRestoreState } from "../../lib/providers/pinecone/restores.ts";
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
    [403, "FORBIDDEN", "Increase your quota or upgrade to create more indexes.", "QUOTA"],
    [
      403,
      "FORBIDDEN",
      "This project already contains 20 serverless indexes, the maximum per project.",
      "QUOTA",
    ],
    [403, "FORBIDDEN", "Deletion protection is enabled for this index.", "INVALID"],
    [409, "ALREADY_EXISTS", "Resource restored already exists.", "INVALID"],
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

describe("pineconeRestoreState", () => {
  const base = { restore_job_id: "j1", backup_id: "b1", target_index_name: "restored" };
  it.each([
    ["Pending", "RUNNING"],
    ["InProgress", "RUNNING"],
    ["Completed", "RESTORED"],
    ["Failed", "FAILED"],
    ["Cancelled", "FAILED"],
    ["Canceled", "FAILED"],
  ] as const)("%s → %s", (status, expected) => {
    expect(pineconeRestoreState({ ...base, status }).status).toBe(expected);
  });

  it("reports percent_complete as progress, and a failure by its status", () => {
    expect(pineconeRestoreState({ ...base, status: "Pending", percent_complete: 42.2 })).toEqual({
      status: "RUNNING",
      providerStatus: "Pending",
      progress: 42.2,
    });
    expect(pineconeRestoreState({ ...base, status: "Failed" }).failureReason).toMatch(
      /restore job j1 \(index restored\) as Failed/,
    );
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

  describe("restores", () => {
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${sim.url}${path}`, {
        method,
        headers: {
          "api-key": sim.apiKey,
          "x-pinecone-api-version": PINECONE_API_VERSION,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    async function readyBackup(provider: BackupProvider) {
      const { ref } = await provider.createBackup({ backupId: "bk_01jd3xk5t9q2rs" });
      advance(60_000);
      return ref;
    }

    it("creates the index tagged with our restore id and the deletion protection asked for", async () => {
      const provider = await adapter();
      const backup = await readyBackup(provider);
      const { ref } = await provider.restores!.start({
        restoreId: "rs_01jd3xk5t9q2tag",
        backup,
        destination: { indexName: "restored-tagged", deletionProtection: "enabled" },
      });
      const create = sim.requests.find((r) => r.path.endsWith("/create-index"));
      expect(create?.path).toBe(`/backups/${backup.backupId}/create-index`);
      const index = (await (await api("GET", "/indexes/restored-tagged")).json()) as {
        tags: Record<string, string>;
        deletion_protection: string;
        status: { state: string };
      };
      expect(index).toMatchObject({
        tags: { "backup-warden": "rs_01jd3xk5t9q2tag" },
        deletion_protection: "enabled",
        status: { ready: false, state: "Initializing" },
      });
      expect(await provider.restores!.describe(ref)).toEqual({
        exists: true,
        healthy: false,
        providerStatus: "Initializing",
      });
      advance(30_000);
      // Protected: refused by us, with the reason, before any DELETE is sent.
      const refused = await failure(provider.restores!.deleteCreated(ref));
      expect(refused.cls).toBe("INVALID");
      expect(refused.message).toMatch(/deletion protection/);
      expect(sim.requests.some((r) => r.method === "DELETE")).toBe(false);
      expect(sim.indexNames()).toContain("restored-tagged");
    });

    it("never deletes an index without our tag, nor one another restore job wrote", async () => {
      const provider = await adapter();
      const backup = await readyBackup(provider);
      // An operator's own restore, into a name a record of ours might claim.
      const theirs = await api("POST", `/backups/${backup.backupId}/create-index`, {
        name: "ops-copy",
      });
      const jobId = ((await theirs.json()) as { restore_job_id: string }).restore_job_id;
      const forged = { jobId, resourceId: "ops-copy", created: true };
      expect((await failure(provider.restores!.deleteCreated(forged))).cls).toBe("INVALID");
      const { ref } = await provider.restores!.start({
        restoreId: "rs_01jd3xk5t9q2mine",
        backup,
        destination: { indexName: "mine" },
      });
      const crossed = { ...ref, jobId };
      expect((await failure(provider.restores!.deleteCreated(crossed))).cls).toBe("INVALID");
      expect(sim.indexNames()).toEqual(expect.arrayContaining(["ops-copy", "mine"]));
      expect(sim.requests.some((r) => r.method === "DELETE")).toBe(false);
    });

    it("classes the index quota as QUOTA and a job Pinecone forgot as FAILED", async () => {
      await sim.close();
      sim = await startPineconeSimulator({
        now: () => clock,
        backupDurationMs: 60_000,
        indexQuota: 1,
      });
      const provider = await adapter();
      const backup = await readyBackup(provider);
      const full = await failure(
        provider.restores!.start({
          restoreId: "rs_01jd3xk5t9q2full",
          backup,
          destination: { indexName: "one-too-many" },
        }),
      );
      expect(full.cls).toBe("QUOTA");
      const gone = {
        jobId: "00000000-0000-4000-8000-000000000000",
        resourceId: "x",
        created: true,
      };
      expect(await provider.restores!.status(gone)).toMatchObject({
        status: "FAILED",
        providerStatus: "NOT_FOUND",
      });
      expect(await provider.restores!.describe(gone)).toEqual({
        exists: false,
        healthy: false,
        providerStatus: "NOT_FOUND",
      });
      expect(
        await provider.restores!.find("rs_01jd3xk5t9q2none", { indexName: "x" }),
      ).toBeUndefined();
    });

    it("previews: an unknown backup is NOT_FOUND, one still being made CONFLICT", async () => {
      const provider = await adapter();
      const unknown = {
        backupId: "00000000-0000-4000-8000-000000000000",
        resourceId: "docs-example",
      };
      const destination = { indexName: "fresh" };
      expect((await failure(provider.restores!.preview(unknown, destination))).cls).toBe(
        "NOT_FOUND",
      );
      const { ref } = await provider.createBackup({ backupId: "bk_01jd3xk5t9q2young" });
      expect((await failure(provider.restores!.preview(ref, destination))).cls).toBe("CONFLICT");
      advance(60_000);
      expect(await provider.restores!.preview(ref, destination)).toEqual({});
    });
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
