import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import * as z from "zod";
import { sandboxAdmin } from "../support/sandbox-admin.ts";
import { startHarness, T0, type ZillizHarness } from "./zilliz-helpers.ts";

/** The parts of `GET /__sandbox/state` the admin test looks at. */
const dumpSchema = z.object({
  state: z.object({
    backups: z.array(z.object({ backupId: z.string(), phase: z.string() })),
    jobs: z.array(z.object({ status: z.string() })),
  }),
  faults: z.array(z.unknown()),
});

const harnesses: ZillizHarness[] = [];
async function start(...args: Parameters<typeof startHarness>): Promise<ZillizHarness> {
  const harness = await startHarness(...args);
  harnesses.push(harness);
  return harness;
}

afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((harness) => harness.sim.close()));
});

describe("Zilliz simulator: fault injection", () => {
  it("fails the next job on a matching cluster and then hides its backup", async () => {
    const h = await start({ jobDurationMs: 1_000 });
    h.sim.faults.add({
      kind: "fail-next-job",
      reason: "insufficient storage quota",
      match: { path: `/v2/clusters/${h.cluster}/**` },
    });

    const rejected = await h.create({ backupType: "BOGUS" });
    const { backupId, jobId } = (await h.create()).json.data;
    h.advance(1_000);
    const job = await h.call("GET", `/v2/jobs/${jobId}`);
    const backup = await h.call("GET", `/v2/clusters/${h.cluster}/backups/${backupId}`);
    const listed = await h.call("GET", "/v2/backups");
    const next = (await h.create()).json.data;
    h.advance(1_000);
    const nextJob = await h.call("GET", `/v2/jobs/${next.jobId}`);

    expect(rejected.json.code).toBe(96029);
    expect(job.json.data).toMatchObject({ status: "FAILED", reason: "insufficient storage quota" });
    expect(backup.json.code).toBe(96019);
    expect(listed.json.data.count).toBe(0);
    expect(nextJob.json.data.status).toBe("SUCCESSFUL");
  });

  it("throttles with HTTP 429 and Retry-After, then lets the retry through", async () => {
    const h = await start();
    h.sim.faults.add({ kind: "status", status: 429, retryAfterSeconds: 3 });

    const throttled = await h.call("GET", "/v2/backups");
    const retried = await h.call("GET", "/v2/backups");

    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("3");
    expect(throttled.json.code).not.toBe(0);
    expect(throttled.json.message).toContain("rate limit");
    expect(retried.status).toBe(200);
    expect(retried.json.code).toBe(0);
    expect(h.sim.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it("answers server errors only to matching requests, `times` times", async () => {
    const h = await start();
    h.sim.faults.add({ kind: "status", status: 503, times: 2, match: { method: "POST" } });

    const listed = await h.call("GET", "/v2/backups");
    const first = await h.create();
    const second = await h.create();
    const third = await h.create();

    expect(listed.status).toBe(200);
    expect([first.status, second.status, third.status]).toEqual([503, 503, 200]);
    expect(first.json).toEqual({ code: 503, message: "injected fault: HTTP 503" });
    expect(third.json.code).toBe(0);
  });

  it("delays a response so a client timeout fires, and only once", async () => {
    const h = await start();
    h.sim.faults.add({ kind: "delay", delayMs: 400, match: { path: "/v2/backups" } });

    const timedOut = h.call("GET", "/v2/backups", { signal: AbortSignal.timeout(100) });
    await expect(timedOut).rejects.toThrow(/timeout|abort/i);
    const startedAt = performance.now();
    const prompt = await h.call("GET", "/v2/backups");

    expect(prompt.json.code).toBe(0);
    expect(performance.now() - startedAt).toBeLessThan(300);
  });

  it("slows a response down by the fault's delay", async () => {
    const h = await start();
    h.sim.faults.add({ kind: "delay", delayMs: 250 });

    const startedAt = performance.now();
    const reply = await h.call("GET", "/v2/backups");

    expect(reply.json.code).toBe(0);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(240);
  });

  it("enforces an optional per-endpoint rate limit per second of the simulated clock", async () => {
    const h = await start({ rateLimitPerSecond: 2 });

    const statuses = [];
    for (let index = 0; index < 3; index += 1) {
      statuses.push((await h.call("GET", "/v2/backups")).status);
    }
    const otherEndpoint = await h.call("GET", "/v2/jobs/job-x");
    h.advance(1_000);
    const nextSecond = await h.call("GET", "/v2/backups");

    expect(statuses).toEqual([200, 200, 429]);
    expect(otherEndpoint.status).toBe(200);
    expect(nextSecond.status).toBe(200);
    // The request log counts what the limit refused, apart from injected 429s.
    expect(h.sim.requests.filter((r) => r.refusedForRate).map((r) => r.status)).toEqual([429]);
  });
});

describe("Zilliz simulator: sandbox admin endpoints", () => {
  it("accepts faults over HTTP, validates them, clears them and dumps state", async () => {
    const h = await start();
    const admin = (method: string, body?: unknown) =>
      sandboxAdmin(h.sim, method, "/__sandbox/faults", body);

    const invalid = await admin("POST", { kind: "status", status: 418 });
    const valid = await admin("POST", {
      kind: "status",
      status: 500,
      match: { path: "/v2/jobs/**" },
    });
    const job = await h.call("GET", "/v2/jobs/job-x");
    const list = await h.call("GET", "/v2/backups");
    await admin("POST", { kind: "fail-next-job", reason: "disk full", times: 3 });
    const cleared = await admin("DELETE");
    await h.create();
    const state = dumpSchema.parse(
      await (await sandboxAdmin(h.sim, "GET", "/__sandbox/state")).json(),
    );

    expect(invalid.status).toBe(400);
    expect(valid.status).toBe(201);
    expect(job.status).toBe(500);
    expect(list.status).toBe(200);
    expect(await cleared.json()).toEqual({ cleared: 1 });
    expect(state.state.backups).toHaveLength(1);
    expect(state.state.jobs.map((job) => job.status)).toEqual(["PENDING"]);
    expect(state.faults).toEqual([]);
    expect(h.sim.requests.every((r) => !r.path.startsWith("/__sandbox"))).toBe(true);
  });
});

describe("Zilliz simulator: persistence", () => {
  it("keeps backups, jobs, the API key and the one-job rule across a restart", async () => {
    const folder = await mkdtemp(join(tmpdir(), "zilliz-sim-"));
    try {
      const stateFile = join(folder, "nested", "zilliz.json");
      const first = await start({ stateFile, jobDurationMs: 10_000 });
      const { backupId, jobId } = (await first.create()).json.data;
      await first.sim.close();

      const second = await start({ stateFile, jobDurationMs: 10_000 }, T0 + 5_000);
      const refused = await second.create();
      const job = await second.call("GET", `/v2/jobs/${jobId}`);
      second.advance(5_000);
      const backup = await second.call("GET", `/v2/clusters/${second.cluster}/backups/${backupId}`);
      const saved = JSON.parse(await readFile(stateFile, "utf8"));

      expect(second.sim.apiKey).toBe(first.sim.apiKey);
      expect(second.sim.projectId).toBe(first.sim.projectId);
      expect(refused.json.code).toBe(96038);
      expect(job.json.data).toMatchObject({ status: "IN_PROGRESS", progress: "44" });
      expect(backup.json.data.status).toBe("AVAILABLE");
      expect(saved.backups[0].backupId).toBe(backupId);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
