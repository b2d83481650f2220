import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  environmentReads,
  type ImportGraph,
  importCycles,
  importGraph,
  layerViolations,
} from "./graph.ts";

const ROOT = resolve(import.meta.dirname, "../..");

let graph: ImportGraph;
let fixture: string;

/** A small tree with the project's folder names, broken on purpose. */
function writeTree(root: string, files: Record<string, string>) {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

beforeAll(async () => {
  graph = await importGraph(ROOT);
  mkdirSync(join(ROOT, ".test-output"), { recursive: true });
  fixture = mkdtempSync(join(ROOT, ".test-output", "layers-"));
  writeTree(fixture, {
    "lib/core/a.ts": 'import { b } from "./b.ts";\nexport const a = () => b();\n',
    "lib/core/b.ts": 'import { a } from "./a.ts";\nexport const b = () => a();\n',
    "lib/usecases/bad.ts":
      'import { handler } from "../../functions/handlers/x.ts";\nexport const env = process.env.X;\nexport const h = handler;\n',
    "functions/handlers/x.ts": "export const handler = () => 1;\n",
  });
}, 60_000);

afterAll(() => {
  rmSync(fixture, { recursive: true, force: true });
});

describe("the layers", () => {
  it("has lib/ depend on nothing above it: no functions/, cli/, sandbox/, local/, middy or sst", () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(layerViolations(graph)).toEqual([]);
  });

  it("has no import cycle", () => {
    expect(importCycles(graph)).toEqual([]);
  });

  it("has lib/ read no environment (functions/config.ts does, once)", () => {
    expect(environmentReads(ROOT)).toEqual([]);
  });

  it("fails on a deliberately added bad import, a cycle and an environment read", async () => {
    const broken = await importGraph(fixture);
    expect(layerViolations(broken)).toEqual([
      "lib/usecases/bad.ts imports functions/handlers/x.ts: lib/ must not depend on it",
    ]);
    expect(importCycles(broken)).toEqual(["lib/core/a.ts → lib/core/b.ts → lib/core/a.ts"]);
    expect(environmentReads(fixture)).toEqual(["lib/usecases/bad.ts reads process.env"]);
  });
});
