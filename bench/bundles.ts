// Each function bundle's size and its cold module-load time, against an empty handler
// bundled the same way. A load is measured in a fresh process (as a Lambda cold start
// loads the module once): the time to import the bundle, median of several runs.
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as esbuild from "esbuild";
import { buildFunctions } from "../scripts/build-functions.ts";
import { FUNCTION_BUNDLE, MAX_BUNDLE_BYTES } from "../stacks/bundle.ts";

const ROOT = resolve(import.meta.dirname, "..");
const RUNS = 7;
// Built inside the project so the runtime-provided AWS SDK resolves from node_modules.
const outdir = join(ROOT, "dist", "bench-functions");

function loadMs(file: string): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const run = spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const t=performance.now();await import(${JSON.stringify(file)});console.log(performance.now()-t)`,
      ],
      { cwd: ROOT, encoding: "utf8", env: { ...process.env, WARDEN_QUIET: "1" } },
    );
    if (run.status !== 0) throw new Error(`loading ${file} failed: ${run.stderr}`);
    times.push(Number(run.stdout.trim()));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const bundles = await buildFunctions(outdir);
const emptySource = join(tmpdir(), `warden-empty-${process.pid}.ts`);
writeFileSync(emptySource, "export const handler = async () => ({});\n");
mkdirSync(join(outdir, "_empty"), { recursive: true });
const emptyFile = join(outdir, "_empty", "index.mjs");
await esbuild.build({
  ...FUNCTION_BUNDLE,
  entryPoints: [emptySource],
  outfile: emptyFile,
  logLevel: "warning",
});
rmSync(emptySource);

const empty = loadMs(emptyFile);
console.log(
  `bundles: ${bundles.length} functions, limit ${(MAX_BUNDLE_BYTES / 1024).toFixed(0)} KiB each; module load = median of ${RUNS} fresh processes`,
);
console.log(
  `  ${"(empty handler)".padEnd(24)} ${"".padStart(10)}  load ${empty.toFixed(1).padStart(6)} ms`,
);
for (const b of bundles) {
  const ms = loadMs(b.file);
  console.log(
    `  ${b.name.padEnd(24)} ${`${(b.bytes / 1024).toFixed(1)} KiB`.padStart(10)}  load ${ms.toFixed(1).padStart(6)} ms  (+${(ms - empty).toFixed(1)} ms over empty)`,
  );
}
rmSync(outdir, { recursive: true, force: true });
