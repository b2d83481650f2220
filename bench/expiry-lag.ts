// Expiry-to-deletion lag in the local runtime: API backups are made with an explicit
// expiry a few seconds ahead; the lag is the time from that expiry to DELETED (TTL
// emulation + stream handler + delete workflow). Prints the numbers; asserts nothing.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocal } from "../functions/local.ts";

const TTL_SECONDS = 1;
const SWEEP_SECONDS = 30;
const dataDir = mkdtempSync(join(tmpdir(), "warden-bench-"));
const runtime = await startLocal({
  WARDEN_DATA_DIR: dataDir,
  WARDEN_PORT: "0",
  WARDEN_SANDBOX_JOB_SECONDS: "1",
  WARDEN_POLL_SECONDS: "0.2",
  WARDEN_TTL_SECONDS: String(TTL_SECONDS),
  WARDEN_SWEEP_SECONDS: String(SWEEP_SECONDS),
  WARDEN_DEMO_POLICY: "0",
  WARDEN_QUIET: "1",
});
process.env.WARDEN_QUIET = "1";
const api = async (method: string, path: string, body?: unknown) => {
  const r = await fetch(`${runtime.url}/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${runtime.token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await r.json()) as { id: string; status: string; expiresAt?: string; deletedAt?: string };
};
/** Every wait has a limit, and says what it was waiting for when it runs out. */
const WAIT_LIMIT_MS = 90_000;
const until = async (id: string, status: string) => {
  const started = Date.now();
  for (;;) {
    const b = await api("GET", `/backups/${id}`);
    if (b.status === status) return b;
    if (Date.now() - started > WAIT_LIMIT_MS)
      throw new Error(
        `expiry-lag: ${id} did not reach ${status} within ${WAIT_LIMIT_MS / 1000} s (it is ${b.status})`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
};

const lags: number[] = [];
try {
  for (let i = 0; i < 5; i++) {
    const expiresAt = new Date(Date.now() + 3_000).toISOString();
    const doomed = await api("POST", "/targets/demo-pinecone/backups", { expiresAt });
    await until(doomed.id, "AVAILABLE");
    // A newer backup, so the "newest AVAILABLE" guard does not keep the doomed one.
    const newer = await api("POST", "/targets/demo-pinecone/backups");
    await until(newer.id, "AVAILABLE");
    const deleted = await until(doomed.id, "DELETED");
    lags.push(Date.parse(deleted.deletedAt ?? "") - Date.parse(expiresAt));
  }
} finally {
  await runtime.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
lags.sort((a, b) => a - b);
const median = lags[Math.floor(lags.length / 2)] ?? Number.NaN;
console.log(
  `expiry lag (local runtime, TTL emulation every ${TTL_SECONDS} s, sweeper every ${SWEEP_SECONDS} s): ` +
    `median ${(median / 1000).toFixed(2)} s, max ${((lags.at(-1) ?? 0) / 1000).toFixed(2)} s over ${lags.length} backups ` +
    `— goal: lag ≤ the sweep interval (${SWEEP_SECONDS} s)`,
);
