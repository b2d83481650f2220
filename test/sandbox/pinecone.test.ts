import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type PineconeSimulatorOptions, startPineconeSimulator } from "../../sandbox/pinecone.ts";
import { sandboxAdmin } from "../support/sandbox-admin.ts";

const T0 = Date.parse("2026-03-02T09:00:00Z");

/** A simulator on a hand-driven clock and a small client speaking its HTTP API. */
async function harness(options: PineconeSimulatorOptions = {}) {
  let clock = T0;
  const sim = await startPineconeSimulator({
    now: () => clock,
    backupDurationMs: 10_000,
    deleteDurationMs: 3_000,
    restoreDurationMs: 20_000,
    ...options,
  });
  const call = async (
    method: string,
    path: string,
    init: { body?: unknown; key?: string | null; version?: string | null } = {},
  ) => {
    const headers: Record<string, string> = {};
    const key = init.key === undefined ? sim.apiKey : init.key;
    const version = init.version === undefined ? "2026-04" : init.version;
    if (key !== null) headers["api-key"] = key;
    if (version !== null) headers["x-pinecone-api-version"] = version;
    if (init.body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`${sim.url}${path}`, {
      method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await response.text();
    const json: any = text === "" ? undefined : JSON.parse(text);
    return { status: response.status, headers: response.headers, text, json };
  };
  const index = sim.indexes[0]!;
  return {
    sim,
    index,
    call,
    advance: (ms: number) => {
      clock += ms;
    },
    create: (body: unknown = { name: "nightly", description: "nightly backup" }) =>
      call("POST", `/indexes/${index}/backups`, { body }),
  };
}

type Harness = Awaited<ReturnType<typeof harness>>;

describe("Pinecone simulator", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness({ podIndexes: ["legacy-pods"] });
  });
  afterEach(async () => {
    await h.sim.close();
  });

  describe("authentication and versions", () => {
    it("refuses a missing or wrong Api-Key with 401 in the documented envelope", async () => {
      for (const key of [null, "pcsk_wrong"]) {
        const r = await h.call("GET", "/backups", { key });
        expect(r.status).toBe(401);
        expect(r.json).toEqual({
          error: { code: "UNAUTHENTICATED", message: "Invalid API key." },
          status: 401,
        });
      }
    });

    it("refuses a missing or unsupported X-Pinecone-Api-Version with 400", async () => {
      expect((await h.call("GET", "/backups", { version: null })).status).toBe(400);
      const old = await h.call("GET", "/backups", { version: "2024-07" });
      expect(old.status).toBe(400);
      expect(old.json.error).toMatchObject({ code: "INVALID_ARGUMENT" });
      expect((await h.call("GET", "/backups", { version: "2025-10" })).status).toBe(200);
    });
  });

  describe("create and describe", () => {
    it("answers 201 with an Initializing BackupModel that becomes Ready with its size", async () => {
      const created = await h.create();
      expect(created.status).toBe(201);
      expect(created.json).toMatchObject({
        source_index_name: h.index,
        name: "nightly",
        description: "nightly backup",
        status: "Initializing",
        cloud: "aws",
        region: "us-east-1",
        created_at: new Date(T0).toISOString(),
      });
      expect(created.json.backup_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(created.json.size_bytes).toBeUndefined();
      h.advance(10_000);
      const ready = await h.call("GET", `/backups/${created.json.backup_id}`);
      expect(ready.json.status).toBe("Ready");
      expect(ready.json.size_bytes).toBeGreaterThan(0);
    });

    it("requires a JSON body, a valid name and the documented field types", async () => {
      const path = `/indexes/${h.index}/backups`;
      expect((await h.call("POST", path)).status).toBe(400);
      expect((await h.create({})).status).toBe(201);
      expect((await h.create({ name: "Has_Upper" })).json.error.code).toBe("INVALID_ARGUMENT");
      expect((await h.create({ name: "x".repeat(46) })).status).toBe(400);
      expect((await h.create({ name: 42 })).status).toBe(422);
    });

    it("answers 404 for an unknown index or backup, and refuses pod-based indexes", async () => {
      const missing = await h.call("POST", "/indexes/nope/backups", { body: {} });
      expect(missing.json).toMatchObject({ error: { code: "NOT_FOUND" }, status: 404 });
      expect((await h.call("GET", "/indexes/nope/backups")).status).toBe(404);
      expect((await h.call("GET", "/backups/00000000-0000-4000-8000-000000000000")).status).toBe(
        404,
      );
      const pods = await h.call("POST", "/indexes/legacy-pods/backups", { body: {} });
      expect(pods.status).toBe(400);
      expect((await h.call("GET", "/indexes/legacy-pods")).json.spec).toHaveProperty("pod");
      expect((await h.call("GET", `/indexes/${h.index}`)).json.spec).toHaveProperty("serverless");
    });

    it("answers 403 mentioning the quota once the project holds its quota of backups", async () => {
      await h.sim.close();
      h = await harness({ backupQuota: 2 });
      await h.create();
      await h.create();
      const refused = await h.create();
      expect(refused.status).toBe(403);
      expect(refused.json.error.message).toMatch(/quota/i);
    });
  });

  describe("delete", () => {
    it("accepts with 202 and no body, keeps describing for deleteDurationMs, then 404", async () => {
      const id = (await h.create()).json.backup_id;
      h.advance(10_000);
      const accepted = await h.call("DELETE", `/backups/${id}`);
      expect(accepted.status).toBe(202);
      expect(accepted.text).toBe("");
      expect((await h.call("GET", `/backups/${id}`)).status).toBe(200);
      expect((await h.call("DELETE", `/backups/${id}`)).status).toBe(202);
      expect((await h.call("GET", `/indexes/${h.index}/backups`)).json.data).toEqual([]);
      const withDeleted = await h.call("GET", `/indexes/${h.index}/backups?include_deleted=true`);
      expect(withDeleted.json.data).toHaveLength(1);
      h.advance(3_000);
      expect((await h.call("GET", `/backups/${id}`)).status).toBe(404);
      const again = await h.call("DELETE", `/backups/${id}`);
      expect(again.json).toMatchObject({ error: { code: "NOT_FOUND" }, status: 404 });
    });

    it("answers 412 FAILED_PRECONDITION while a restore from the backup is pending", async () => {
      const id = (await h.create()).json.backup_id;
      h.advance(10_000);
      const restore = await h.call("POST", `/backups/${id}/create-index`, {
        body: { name: "restored-copy" },
      });
      expect(restore.status).toBe(202);
      const jobId = restore.json.restore_job_id;
      const refused = await h.call("DELETE", `/backups/${id}`);
      expect(refused.status).toBe(412);
      expect(refused.json.error).toEqual({
        code: "FAILED_PRECONDITION",
        message: `Unable to delete backup. There are pending restore jobs for this backup: ['${jobId}']`,
      });
      expect((await h.call("GET", `/restore-jobs/${jobId}`)).json.status).toBe("Pending");
      h.advance(20_000);
      const job = (await h.call("GET", `/restore-jobs/${jobId}`)).json;
      expect(job).toMatchObject({ status: "Completed", percent_complete: 100 });
      expect((await h.call("DELETE", `/backups/${id}`)).status).toBe(202);
    });

    it("refuses a restore into an existing index name with 409", async () => {
      const id = (await h.create()).json.backup_id;
      h.advance(10_000);
      const taken = await h.call("POST", `/backups/${id}/create-index`, {
        body: { name: h.index },
      });
      expect(taken.status).toBe(409);
    });
  });

  describe("restores (create index from backup)", () => {
    async function ready(): Promise<string> {
      const id = (await h.create()).json.backup_id;
      h.advance(10_000);
      return id;
    }

    it("answers 412 FAILED_PRECONDITION for a backup that is not complete", async () => {
      const id = (await h.create()).json.backup_id;
      const early = await h.call("POST", `/backups/${id}/create-index`, { body: { name: "r1" } });
      expect(early.status).toBe(412);
      expect(early.json.error).toEqual({
        code: "FAILED_PRECONDITION",
        message: `Backup ${id} is not completed`,
      });
      expect(h.sim.indexNames()).not.toContain("r1");
    });

    it("runs the job with percent_complete, then the index is Ready with its tags", async () => {
      const id = await ready();
      const started = await h.call("POST", `/backups/${id}/create-index`, {
        body: {
          name: "restored",
          tags: { "backup-warden": "rs_1" },
          deletion_protection: "enabled",
        },
      });
      expect(started.status).toBe(202);
      const jobId = started.json.restore_job_id;
      expect(started.json.index_id).toEqual(expect.any(String));
      const index = await h.call("GET", "/indexes/restored");
      expect(index.json).toMatchObject({
        status: { ready: false, state: "Initializing" },
        tags: { "backup-warden": "rs_1" },
        deletion_protection: "enabled",
      });
      h.advance(5_000);
      const halfway = (await h.call("GET", `/restore-jobs/${jobId}`)).json;
      expect(halfway).toMatchObject({
        status: "Pending",
        percent_complete: 25,
        completed_at: null,
      });
      h.advance(15_000);
      const done = (await h.call("GET", `/restore-jobs/${jobId}`)).json;
      expect(done).toMatchObject({
        status: "Completed",
        percent_complete: 100,
        target_index_name: "restored",
        target_index_id: started.json.index_id,
        backup_id: id,
      });
      expect((await h.call("GET", "/indexes/restored")).json.status).toEqual({
        ready: true,
        state: "Ready",
      });
      expect(h.sim.indexNames()).toEqual([h.index, "legacy-pods", "restored"]);
      const listed = (await h.call("GET", "/restore-jobs?limit=100")).json;
      expect(listed.data.map((j: { restore_job_id: string }) => j.restore_job_id)).toEqual([jobId]);
    });

    it("ends the next restore job Failed (or the given status) on fail-next-restore", async () => {
      const id = await ready();
      const admin = await sandboxAdmin(h.sim, "POST", "/__sandbox/faults", {
        kind: "fail-next-restore",
        status: "Cancelled",
      });
      expect(admin.status).toBe(201);
      h.sim.faults.add({ kind: "fail-next-restore" });
      // A refused restore (name taken) does not use up a fault.
      expect(
        (await h.call("POST", `/backups/${id}/create-index`, { body: { name: h.index } })).status,
      ).toBe(409);
      const jobs: string[] = [];
      for (const name of ["first", "second", "third"]) {
        const r = await h.call("POST", `/backups/${id}/create-index`, { body: { name } });
        jobs.push(r.json.restore_job_id);
      }
      h.advance(20_000);
      const statuses = [];
      for (const jobId of jobs) {
        statuses.push((await h.call("GET", `/restore-jobs/${jobId}`)).json.status);
      }
      expect(statuses).toEqual(["Cancelled", "Failed", "Completed"]);
      expect((await h.call("GET", "/indexes/first")).json.status).toEqual({
        ready: false,
        state: "InitializationFailed",
      });
    });

    it("refuses bad tags with 400 and a project at its index quota with 403", async () => {
      await h.sim.close();
      h = await harness({ indexQuota: 2 });
      const id = await ready();
      const badTag = await h.call("POST", `/backups/${id}/create-index`, {
        body: { name: "tagged", tags: { "no spaces in keys": "x" } },
      });
      expect(badTag.status).toBe(400);
      expect(
        (await h.call("POST", `/backups/${id}/create-index`, { body: { name: "second" } })).status,
      ).toBe(202);
      const full = await h.call("POST", `/backups/${id}/create-index`, { body: { name: "third" } });
      expect(full.status).toBe(403);
      expect(full.json.error).toEqual({
        code: "FORBIDDEN",
        message: "Increase your quota or upgrade to create more indexes.",
      });
    });

    it("deletes an index: 403 while protected, else 202, Terminating, then 404", async () => {
      const id = await ready();
      await h.call("POST", `/backups/${id}/create-index`, {
        body: { name: "guarded", deletion_protection: "enabled" },
      });
      await h.call("POST", `/backups/${id}/create-index`, { body: { name: "scratch" } });
      const guarded = await h.call("DELETE", "/indexes/guarded");
      expect(guarded.status).toBe(403);
      expect(guarded.json.error.message).toMatch(/^Deletion protection is enabled for this index/);
      const accepted = await h.call("DELETE", "/indexes/scratch");
      expect(accepted.status).toBe(202);
      expect(accepted.text).toBe("");
      expect((await h.call("GET", "/indexes/scratch")).json.status.state).toBe("Terminating");
      h.advance(3_000);
      expect((await h.call("GET", "/indexes/scratch")).status).toBe(404);
      expect((await h.call("DELETE", "/indexes/scratch")).status).toBe(404);
      expect(h.sim.indexNames()).toContain("guarded");
      expect(h.sim.indexNames()).not.toContain("scratch");
      // The name is free again.
      expect(
        (await h.call("POST", `/backups/${id}/create-index`, { body: { name: "scratch" } })).status,
      ).toBe(202);
    });
  });

  describe("pagination", () => {
    it("pages newest first with limit and pagination.next, null on the last page", async () => {
      const seeded = h.sim.seedBackups(130);
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const query = `limit=100${token ? `&paginationToken=${token}` : ""}`;
        const r = await h.call("GET", `/indexes/${h.index}/backups?${query}`);
        expect(r.json.data.length).toBeLessThanOrEqual(100);
        seen.push(...r.json.data.map((b: { backup_id: string }) => b.backup_id));
        token = r.json.pagination?.next;
        if (!token) expect(r.json.pagination).toBeNull();
        pages++;
      } while (token);
      expect(pages).toBe(2);
      expect(seen).toEqual([...seeded].reverse());
    });

    it("defaults to 10 per page and refuses a limit outside 1-100 or a forged token", async () => {
      h.sim.seedBackups(12);
      expect((await h.call("GET", "/backups")).json.data).toHaveLength(10);
      expect((await h.call("GET", "/backups?limit=0")).status).toBe(400);
      expect((await h.call("GET", "/backups?limit=101")).status).toBe(400);
      expect((await h.call("GET", "/backups?paginationToken=not-a-token")).status).toBe(400);
    });
  });

  describe("faults", () => {
    it("ends the next backup Failed (or the given status) on fail-next-backup", async () => {
      h.sim.faults.add({ kind: "fail-next-backup" });
      const admin = await sandboxAdmin(h.sim, "POST", "/__sandbox/faults", {
        kind: "fail-next-backup",
        status: "InitializationFailed",
      });
      expect(admin.status).toBe(201);
      const first = (await h.create()).json;
      const second = (await h.create()).json;
      const third = (await h.create()).json;
      expect(first.status).toBe("Initializing");
      h.advance(10_000);
      const statuses = [];
      for (const b of [first, second, third]) {
        statuses.push((await h.call("GET", `/backups/${b.backup_id}`)).json.status);
      }
      expect(statuses).toEqual(["Failed", "InitializationFailed", "Ready"]);
    });

    it("answers a status fault in the Pinecone envelope with Retry-After", async () => {
      h.sim.faults.add({ kind: "status", status: 429, retryAfterSeconds: 7 });
      const r = await h.call("GET", "/backups");
      expect(r.status).toBe(429);
      expect(r.headers.get("retry-after")).toBe("7");
      expect(r.json).toMatchObject({ error: { code: "RESOURCE_EXHAUSTED" }, status: 429 });
    });
  });

  it("continues from its state file after a restart, with the same key", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pinecone-sim-"));
    try {
      await h.sim.close();
      h = await harness({ stateFile: join(dir, "pinecone.json") });
      const id = (await h.create()).json.backup_id;
      const apiKey = h.sim.apiKey;
      await h.sim.close();
      h = await harness({ stateFile: join(dir, "pinecone.json") });
      expect(h.sim.apiKey).toBe(apiKey);
      h.advance(10_000);
      expect((await h.call("GET", `/backups/${id}`)).json.status).toBe("Ready");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
