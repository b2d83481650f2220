// Mutation testing of the deletion path: `npm run mutation` (slow, so not part of
// `npm test`). Every mutant of the retention planner, its guards and policy schema, and
// the backup status machine must be killed by test/retention/** or the status tests;
// the run fails when the mutation score drops below 90 %.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  mutate: ["lib/retention/**/*.ts", "lib/core/status.ts"],
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.ts" },
  coverageAnalysis: "perTest",
  reporters: ["clear-text", "progress"],
  thresholds: { high: 95, low: 90, break: 90 },
  // A full run by default: in incremental mode Stryker keeps a static mutant (one in a
  // module-level constant, e.g. a schema or a regex) "survived" even when a new test kills
  // it. `npm run mutation -- --incremental` reuses the last results for a quick rerun.
  incrementalFile: "reports/stryker-incremental.json",
  // Only lib/, test/ and the configs are needed in the sandbox; skip the big build output.
  // tsconfig.json stays out too: Stryker rewrites a sandboxed tsconfig with TypeScript's JS
  // API, which TypeScript 7 no longer has (and ours has no `extends`/`references` to fix).
  ignorePatterns: [
    "/dist",
    "/.sst",
    "/.warden",
    "/.test-output",
    "/scratch",
    "/coverage",
    "/tsconfig.json",
  ],
  concurrency: 2,
  timeoutMS: 20_000,
  cleanTempDir: "always",
};
