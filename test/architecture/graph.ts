/**
 * The import graph of our own code, as esbuild resolves it for the bundles (static and
 * dynamic imports; type-only imports are erased, as they are at run time), and the rules
 * it must keep: `lib/` depends on nothing above it, reads no environment, and no import
 * cycle exists anywhere.
 *
 * Written here rather than taken from dependency-cruiser or madge: both parse TypeScript
 * through the TypeScript compiler API, which TypeScript 7 (the project's compiler) no
 * longer ships, while esbuild — already what builds the functions — resolves every import
 * exactly as the bundles do.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import * as esbuild from "esbuild";

/** file → the files and packages it imports (paths relative to the root). */
export type ImportGraph = Map<string, Set<string>>;

/** Our source folders: every `.ts` file in them is a node of the graph. */
export const SOURCE_DIRS = ["lib", "functions", "cli", "local", "sandbox"] as const;

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(path));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

/** Resolves every import of every source file under `root` (nothing is written). */
export async function importGraph(
  root: string,
  dirs: readonly string[] = SOURCE_DIRS,
): Promise<ImportGraph> {
  const entries = dirs.flatMap((dir) => {
    try {
      return tsFiles(join(root, dir));
    } catch {
      return [];
    }
  });
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: entries,
    bundle: true,
    write: false,
    metafile: true,
    platform: "node",
    format: "esm",
    splitting: true,
    outdir: join(root, ".graph"),
    // Packages stay imports (their paths are what a rule looks at), not bundled code.
    packages: "external",
    logLevel: "silent",
  });
  const graph: ImportGraph = new Map();
  for (const [file, input] of Object.entries(result.metafile.inputs)) {
    graph.set(file, new Set(input.imports.map((i) => i.path)));
  }
  return graph;
}

/** What `lib/` may never import: the layers above it, the framework, the test rigs. */
const FORBIDDEN_FOR_LIB = [
  /^functions\//,
  /^cli\//,
  /^sandbox\//,
  /^local\//,
  /^stacks\//,
  /^test\//,
  /^bench\//,
  /^scripts\//,
  /^@middy\//,
  /^sst(\/|$)/,
];

/** Imports from `lib/` that break the layering: `lib/x.ts imports functions/y.ts`. */
export function layerViolations(graph: ImportGraph): string[] {
  const errors: string[] = [];
  for (const [file, imports] of graph) {
    if (!file.startsWith("lib/")) continue;
    for (const target of imports)
      if (FORBIDDEN_FOR_LIB.some((rule) => rule.test(target)))
        errors.push(`${file} imports ${target}: lib/ must not depend on it`);
  }
  return errors.sort();
}

/** Every import cycle among our files, each once, as `a.ts → b.ts → a.ts` (Tarjan). */
export function importCycles(graph: ImportGraph): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[] = [];
  let counter = 0;
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    const self = graph.get(node)?.has(node);
    if (component.length > 1 || self)
      cycles.push([...component.reverse(), component[0]].join(" → "));
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return cycles;
}

/** `lib/` files that read the environment (only functions/ reads it, once, functions/config.ts). */
export function environmentReads(root: string): string[] {
  return tsFiles(join(root, "lib"))
    .filter((file) =>
      readFileSync(file, "utf8")
        .split("\n")
        .some((line) => !/^\s*(\*|\/\/)/.test(line) && /\bprocess\.env\b/.test(line)),
    )
    .map((file) => `${relative(root, file)} reads process.env`);
}
