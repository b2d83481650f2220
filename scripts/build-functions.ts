/**
 * Bundles every Lambda entry point in `functions/handlers/` the way the stacks deploy them
 * (stacks/bundle.ts: ESM, minified, keepNames, node24) into
 * `dist/functions/<function>/index.mjs`, prints each size and fails (exit 1) when a bundle
 * exceeds {@link MAX_BUNDLE_BYTES}.
 *
 *   node scripts/build-functions.ts [outdir]
 *
 * One esbuild call for all entry points: the shared code (SDK clients, zod, lib/) is
 * parsed once, and each output is still a standalone bundle (no code splitting, as on AWS).
 */
import { readdirSync, rmSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import * as esbuild from "esbuild";
import {
  FUNCTION_BUNDLE,
  HANDLER_EXPORT,
  HANDLERS_DIR,
  MAX_BUNDLE_BYTES,
} from "../stacks/bundle.ts";

const ROOT = resolve(import.meta.dirname, "..");

export interface FunctionBundle {
  /** The entry file name without extension, e.g. `acquire-lease`. */
  name: string;
  entry: string;
  file: string;
  bytes: number;
  exports: string[];
  /** Source files bundled into it, relative to the project root. */
  inputs: string[];
}

/** The entry points: every `.ts` file directly in functions/handlers/. */
export function handlerEntries(root = ROOT): Record<string, string> {
  const dir = join(root, HANDLERS_DIR);
  return Object.fromEntries(
    readdirSync(dir)
      .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))
      .sort()
      .map((file) => [basename(file, ".ts"), join(dir, file)]),
  );
}

/** Builds all entry points into `<outdir>/<name>/index.mjs`. */
export async function buildFunctions(outdir: string, root = ROOT): Promise<FunctionBundle[]> {
  const entries = handlerEntries(root);
  rmSync(outdir, { recursive: true, force: true });
  const result = await esbuild.build({
    ...FUNCTION_BUNDLE,
    absWorkingDir: root,
    entryPoints: Object.fromEntries(
      Object.entries(entries).map(([name, entry]) => [`${name}/index`, entry]),
    ),
    outdir,
    outExtension: { ".js": ".mjs" },
    metafile: true,
    logLevel: "warning",
  });
  return Object.entries(entries).map(([name, entry]) => {
    const file = join(outdir, name, "index.mjs");
    const output = result.metafile?.outputs[relative(root, file)];
    if (!output) throw new Error(`esbuild wrote no bundle for ${name}`);
    return {
      name,
      entry,
      file,
      bytes: output.bytes,
      exports: output.exports,
      inputs: Object.keys(output.inputs).sort(),
    };
  });
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

async function main(): Promise<number> {
  const outdir = resolve(ROOT, process.argv[2] ?? "dist/functions");
  const bundles = await buildFunctions(outdir);
  let failed = 0;
  for (const bundle of bundles) {
    const problems: string[] = [];
    if (bundle.bytes > MAX_BUNDLE_BYTES) problems.push(`over ${kib(MAX_BUNDLE_BYTES)}`);
    if (!bundle.exports.includes(HANDLER_EXPORT)) problems.push(`no "${HANDLER_EXPORT}" export`);
    if (problems.length > 0) failed++;
    console.log(
      `${problems.length > 0 ? "FAIL" : "ok  "} ${bundle.name.padEnd(24)} ${kib(bundle.bytes).padStart(10)}  ${relative(ROOT, bundle.file)}${problems.length > 0 ? `  (${problems.join(", ")})` : ""}`,
    );
  }
  const total = bundles.reduce((sum, b) => sum + b.bytes, 0);
  console.log(
    `${bundles.length} functions, ${kib(total)} in total, limit ${kib(MAX_BUNDLE_BYTES)} each`,
  );
  return failed > 0 ? 1 : 0;
}

if (import.meta.main) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
