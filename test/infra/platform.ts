/**
 * Makes sure `.sst/platform` (SST's Pulumi program, types and providers; git-ignored)
 * exists for the pinned sst version, installing it offline when it does not:
 *
 *   node test/infra/platform.ts
 *
 * `SST_SKIP_DEPENDENCY_CHECK` stops the CLI from downloading Pulumi and bun from GitHub,
 * `SST_NO_BUN` makes it use npm for the platform's node_modules (the registry is the only
 * network it needs), the telemetry variables silence its analytics calls.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { SST_VERSION } from "./synth.ts";

const ROOT = resolve(import.meta.dirname, "../..");

export function platformVersion(): string | undefined {
  const file = join(ROOT, ".sst", "platform", "version");
  return existsSync(file) ? readFileSync(file, "utf8").trim() : undefined;
}

/** Runs `sst install` unless `.sst/platform` already matches {@link SST_VERSION}. */
export function ensurePlatform(): { installed: boolean; ms: number } {
  if (platformVersion() === SST_VERSION) return { installed: false, ms: 0 };
  const started = performance.now();
  const run = spawnSync(join(ROOT, "node_modules", ".bin", "sst"), ["install", "--stage", "ci"], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
    env: {
      ...process.env,
      SST_SKIP_DEPENDENCY_CHECK: "1",
      SST_NO_BUN: "1",
      SST_TELEMETRY_DISABLED: "1",
      DO_NOT_TRACK: "1",
    },
  });
  if (run.status !== 0 || platformVersion() !== SST_VERSION) {
    throw new Error(
      `sst install failed (exit ${run.status}); .sst/platform is ${platformVersion()}`,
    );
  }
  return { installed: true, ms: performance.now() - started };
}

if (import.meta.main) {
  const { installed, ms } = ensurePlatform();
  console.log(
    installed
      ? `installed .sst/platform for sst ${SST_VERSION} in ${(ms / 1000).toFixed(1)} s`
      : `.sst/platform is sst ${SST_VERSION}`,
  );
}
