import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FUNCTIONS } from "../../functions/manifest.ts";
import { buildFunctions, type FunctionBundle } from "../../scripts/build-functions.ts";

/*
 * The deployable bundles themselves (as the stacks build them: the Lambda entry, its
 * handler chunk, the SDK left to the runtime), run in a fresh Node process: every one
 * loads, finds its handler chunk on first use and answers a malformed event the way its
 * trigger expects — a problem+json 400 from the API, a named ValidationError elsewhere.
 */

const ROOT = resolve(import.meta.dirname, "../..");
let bundles: FunctionBundle[];
let answers: Record<string, string>;
let outdir: string;

beforeAll(async () => {
  // Inside the project, so the SDK resolves from node_modules as the runtime provides it.
  mkdirSync(join(ROOT, "dist"), { recursive: true });
  outdir = mkdtempSync(join(ROOT, "dist", "test-bundles-"));
  bundles = await buildFunctions(outdir);
  const script = join(outdir, "run.mjs");
  writeFileSync(
    script,
    `const out = {};
for (const [name, file] of JSON.parse(process.argv[2])) {
  const { handler } = await import(file);
  try {
    const r = await handler({ malformed: true }, { awsRequestId: "smoke" });
    out[name] = r && r.statusCode ? "HTTP " + r.statusCode + " " + r.headers["content-type"] : "answered";
  } catch (e) { out[name] = e.name + ": " + e.message; }
}
process.stdout.write("@@" + JSON.stringify(out));`,
  );
  const stdout = execFileSync(
    process.execPath,
    [script, JSON.stringify(bundles.map((b) => [b.name, b.file]))],
    {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, WARDEN_QUIET: "1", POWERTOOLS_LOG_LEVEL: "SILENT" },
    },
  );
  answers = JSON.parse(stdout.slice(stdout.lastIndexOf("@@") + 2));
}, 120_000);

afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
});

describe("the deployable bundles", () => {
  it("exist for exactly the declared functions", () => {
    expect(bundles.map((b) => b.name).sort()).toEqual(Object.keys(FUNCTIONS).sort());
  });

  it("load in a fresh process and parse before doing anything", () => {
    for (const [name, answer] of Object.entries(answers)) {
      if (name === "api") expect(answer).toBe("HTTP 400 application/problem+json");
      else expect(answer, name).toMatch(/^ValidationError: invalid /);
    }
  });

  it("keep the handler out of the entry file: an import loads the shell alone", () => {
    for (const b of bundles) expect(b.entryBytes, b.name).toBeLessThan(2 * 1024);
  });
});
