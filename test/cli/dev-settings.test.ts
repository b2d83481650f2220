import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

/*
 * A configuration error of `warden dev` (`npm start`) or `warden sandbox` is one line on
 * stderr naming the variable and its rule, and exit code 2 — not a ZodError and its stack.
 */

const ROOT = new URL("../..", import.meta.url).pathname;
const parent = mkdtempSync(join(tmpdir(), "warden-settings-"));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

/** Runs `warden <command>` as its own process (Node 24, as `npm start` does). */
function run(command: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [join(ROOT, "bin/warden.js"), command], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, WARDEN_DATA_DIR: join(parent, "data"), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const CASES: Array<[Record<string, string>, string]> = [
  [{ WARDEN_TOKEN: "short-token" }, "WARDEN_TOKEN must be at least 16 characters"],
  [{ WARDEN_PORT: "eighty" }, "WARDEN_PORT must be a whole number from 0 to 65535"],
  [{ WARDEN_PORT: "70000" }, "WARDEN_PORT must be a whole number from 0 to 65535"],
  [{ WARDEN_TICK_SECONDS: "fast" }, "WARDEN_TICK_SECONDS must be a number from 0.05 to 3600"],
  [{ WARDEN_SANDBOX: "yes" }, 'WARDEN_SANDBOX must be one of "0", "1"'],
  // An operator's function setting is checked at start too, not at a function's first call.
  [
    { WARDEN_PROVIDER_TIMEOUT_MS: "5" },
    "WARDEN_PROVIDER_TIMEOUT_MS must be a whole number from 100 to 120000",
  ],
  [{ WARDEN_RATE_LIMITS: "{not json" }, "WARDEN_RATE_LIMITS is not valid rate-limit JSON"],
];

describe("warden dev with a bad setting", () => {
  it.each(CASES)("%o: one line naming the variable and the rule, exit 2", async (env, line) => {
    const result = await run("dev", env);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`warden: ${line}\n`);
    expect(result.stdout).toBe("");
    expect(result.stderr).not.toMatch(/ZodError|\n\s+at |Error:/);
    // Never the value (it may be a token).
    for (const value of Object.values(env).filter((v) => v.length >= 4)) {
      expect(result.stderr).not.toContain(value);
    }
    expect(existsSync(join(parent, "data"))).toBe(false); // nothing was started or written
  });

  it("names every bad variable, still on one line", async () => {
    const result = await run("dev", { WARDEN_PORT: "x", WARDEN_TOKEN: "short-token" });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "warden: WARDEN_PORT must be a whole number from 0 to 65535; " +
        "WARDEN_TOKEN must be at least 16 characters\n",
    );
  });
});

describe("warden sandbox with a bad WARDEN_TOKEN", () => {
  it("says so in one line and exits 2", async () => {
    const result = await run("sandbox", { WARDEN_TOKEN: "short-token" });
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: "warden: WARDEN_TOKEN must be at least 16 characters\n",
    });
  });
});
