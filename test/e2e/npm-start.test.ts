import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { awsCallLog } from "../support/aws-calls.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

/** Starts `warden dev` (what `npm start` runs) as its own process and waits for its banner. */
async function startWarden(
  dataDir: string,
  port: number,
): Promise<{ child: ChildProcess; readyMs: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [join(ROOT, "bin/warden.js"), "dev"], {
    cwd: ROOT,
    env: {
      ...process.env,
      WARDEN_DATA_DIR: dataDir,
      WARDEN_PORT: String(port),
      WARDEN_SANDBOX_JOB_SECONDS: "3",
      WARDEN_POLL_SECONDS: "0.5",
      WARDEN_AWS_CALL_LOG: awsCallLog(),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/v1/health`);
      if (r.status === 200) return { child, readyMs: Date.now() - started };
    } catch {
      // not up yet
    }
    if (child.exitCode !== null) throw new Error(`warden dev exited early:\n${output}`);
    if (Date.now() - started > 30_000)
      throw new Error(`warden dev not healthy after 30 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function waitFor<T>(
  probe: () => Promise<T>,
  done: (v: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() - started > timeoutMs) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("npm start (warden dev as a real process)", () => {
  const parent = mkdtempSync(join(tmpdir(), "warden-e2e-"));
  const dataDir = join(parent, "data"); // made by warden dev itself
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill("SIGKILL");
    rmSync(parent, { recursive: true, force: true });
  });

  const api = async (method: string, path: string) => {
    const token = readFileSync(join(dataDir, "token"), "utf8").trim();
    const r = await fetch(`http://127.0.0.1:${port}/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: r.status, json: (await r.json()) as { id: string; status: string } };
  };

  it("serves health within 15 s and runs the tour: create, AVAILABLE, delete, DELETED", async () => {
    const started = await startWarden(dataDir, port);
    child = started.child;
    console.log(`warden dev healthy after ${started.readyMs} ms`);
    expect(started.readyMs).toBeLessThan(15_000);
    const created = await api("POST", "/targets/demo-zilliz/backups");
    expect(created.status).toBe(202);
    const available = await waitFor(
      () => api("GET", `/backups/${created.json.id}`),
      (r) => r.json.status === "AVAILABLE",
    );
    expect(available.json.status).toBe("AVAILABLE");
    expect((await api("DELETE", `/backups/${created.json.id}`)).status).toBe(202);
    const deleted = await waitFor(
      () => api("GET", `/backups/${created.json.id}`),
      (r) => r.json.status === "DELETED",
    );
    expect(deleted.json.status).toBe("DELETED");
  }, 60_000);

  it("keeps everything it wrote private: folders 0700, files 0600 (the table's too)", () => {
    const loose: string[] = [];
    const walk = (path: string) => {
      const stat = statSync(path);
      const mode = stat.mode & 0o777;
      if (mode !== (stat.isDirectory() ? 0o700 : 0o600)) loose.push(`${path} ${mode.toString(8)}`);
      if (stat.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
    };
    walk(dataDir);
    expect(readdirSync(join(dataDir, "dynamo")).length).toBeGreaterThan(0);
    expect(loose).toEqual([]);
  });

  it("completes a backup that was in flight when the process was killed", async () => {
    const created = await api("POST", "/targets/demo-zilliz/backups");
    await waitFor(
      () => api("GET", `/backups/${created.json.id}`),
      (r) => r.json.status === "CREATING",
    );
    child?.kill("SIGKILL");
    await new Promise((r) => child?.once("exit", r));
    child = (await startWarden(dataDir, port)).child;
    const settled = await waitFor(
      () => api("GET", `/backups/${created.json.id}`),
      (r) => r.json.status === "AVAILABLE" || r.json.status === "FAILED",
    );
    expect(settled.json.status).toBe("AVAILABLE");
    child.kill("SIGTERM");
    const code = await new Promise((r) => child?.once("exit", r));
    expect(code).toBe(0);
  }, 60_000);
});
