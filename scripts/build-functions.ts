/**
 * Bundles every Lambda entry point in `functions/lambda/` the way the stacks deploy them
 * (stacks/bundle.ts: ESM, minified, keepNames, node24, dynamic imports as chunks) into
 * `dist/functions/<function>/`, prints each function's size and fails (exit 1) when one
 * exceeds {@link MAX_BUNDLE_BYTES}.
 *
 *   node scripts/build-functions.ts [outdir]
 *
 * One esbuild build per function, as SST builds them: each function's folder is what its
 * zip holds (the entry and the chunks it may load), nothing shared between functions.
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
import { runMain } from "./run-main.ts";

const ROOT = resolve(import.meta.dirname, "..");

export interface FunctionBundle {
  /** The entry file name without extension, e.g. `start-backup`. */
  name: string;
  entry: string;
  /** The entry file of the bundle (`index.mjs`); chunks sit next to it. */
  file: string;
  /** Every file of the function: the entry and its chunks. */
  bytes: number;
  /** The entry file alone: what an import loads before the first invocation. */
  entryBytes: number;
  exports: string[];
  /** Source files in any of its files, relative to the project root. */
  inputs: string[];
}

/** The entry points: every `.ts` file directly in functions/lambda/. */
export function handlerEntries(root = ROOT): Record<string, string> {
  const dir = join(root, HANDLERS_DIR);
  return Object.fromEntries(
    readdirSync(dir)
      .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))
      .sort()
      .map((file) => [basename(file, ".ts"), join(dir, file)]),
  );
}

/** Builds one function into `<outdir>/<name>/` (index.mjs and its chunks). */
export async function buildFunction(
  name: string,
  entry: string,
  outdir: string,
  options: esbuild.BuildOptions = {},
  root = ROOT,
): Promise<FunctionBundle> {
  const dir = join(outdir, name);
  rmSync(dir, { recursive: true, force: true });
  const result = await esbuild.build({
    ...FUNCTION_BUNDLE,
    ...options,
    absWorkingDir: root,
    entryPoints: { index: entry },
    outdir: dir,
    outExtension: { ".js": ".mjs" },
    chunkNames: "chunks/[name]-[hash]",
    metafile: true,
    logLevel: "warning",
  });
  const outputs = result.metafile?.outputs ?? {};
  const file = join(dir, "index.mjs");
  const main = outputs[relative(root, file)];
  if (!main) throw new Error(`esbuild wrote no bundle for ${name}`);
  const all = Object.values(outputs);
  return {
    name,
    entry,
    file,
    bytes: all.reduce((sum, o) => sum + o.bytes, 0),
    entryBytes: main.bytes,
    exports: main.exports,
    inputs: [...new Set(all.flatMap((o) => Object.keys(o.inputs)))].sort(),
  };
}

/** Builds every entry point into `<outdir>/<name>/`. */
export async function buildFunctions(
  outdir: string,
  options: esbuild.BuildOptions = {},
  root = ROOT,
): Promise<FunctionBundle[]> {
  rmSync(outdir, { recursive: true, force: true });
  return Promise.all(
    Object.entries(handlerEntries(root)).map(([name, entry]) =>
      buildFunction(name, entry, outdir, options, root),
    ),
  );
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
      `${problems.length > 0 ? "FAIL" : "ok  "} ${bundle.name.padEnd(24)} ${kib(bundle.bytes).padStart(10)}  (entry ${kib(bundle.entryBytes)})  ${relative(ROOT, bundle.file)}${problems.length > 0 ? `  (${problems.join(", ")})` : ""}`,
    );
  }
  const total = bundles.reduce((sum, b) => sum + b.bytes, 0);
  console.log(
    `${bundles.length} functions, ${kib(total)} in total, limit ${kib(MAX_BUNDLE_BYTES)} each`,
  );
  return failed > 0 ? 1 : 0;
}

if (import.meta.main) runMain(main);
