import type { BuildOptions } from "esbuild";

/**
 * How a Lambda entry point is bundled. Plain data with no SST globals, so that
 * `stacks/functions.ts` (what SST deploys), `scripts/build-functions.ts` (the size gate)
 * and the offline synth harness (`test/infra/synth.ts`) all build the same bundle.
 *
 * The values mirror SST 4.17.1's Node build (`pkg/runtime/node/build.go`): ESM, platform
 * node, `keepNames` (our error classes take their `name` from the class, and the state
 * machines' Retry/Catch blocks match on it), `module` before `main`, and a banner that gives
 * ESM bundles `require`/`__dirname` for CommonJS dependencies. SST builds with
 * `target: esnext`; the size gate pins `node24`, which is what Lambda runs.
 */
/** The packages of the AWS SDK v3, which the Lambda Node.js runtime provides. */
export const SDK_PACKAGES = ["@aws-sdk/*", "@smithy/*"];

export const FUNCTION_BUNDLE = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node24",
  minify: true,
  keepNames: true,
  // Dynamic imports become chunks of their own, loaded when first reached: the Lambda
  // entry (functions/lambda/) loads its handler on first use, adapters their SDK client.
  splitting: true,
  mainFields: ["module", "main"],
  // The AWS SDK v3 is left to the nodejs24.x runtime, by the numbers of `npm run bench`
  // (docs/architecture.md, "Cold start"): bundled and tree-shaken, it loads faster on first
  // use but puts most functions past the 500 KB gate.
  external: [...SDK_PACKAGES, "sharp", "pg-native"],
  banner: {
    js: [
      `import { createRequire as topLevelCreateRequire } from 'module';`,
      `const require = topLevelCreateRequire(import.meta.url);`,
      `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
      `const __filename = topLevelFileUrlToPath(import.meta.url)`,
      `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
    ].join("\n"),
  },
} satisfies BuildOptions;

/**
 * Where the Lambda entry points live: one file per function, each exporting `handler`
 * (a shell that loads `functions/handlers/<name>.ts` on first use, functions/deferred.ts).
 */
export const HANDLERS_DIR = "functions/lambda";

/** The exported function every entry point provides. */
export const HANDLER_EXPORT = "handler";

/** A bundle above this size fails the build: cold starts grow with the code loaded. */
export const MAX_BUNDLE_BYTES = 500 * 1024;

/** `functions/lambda/<file>.handler`, the handler string SST expects for an entry file. */
export function handlerOf(file: string): string {
  return `${HANDLERS_DIR}/${file}.${HANDLER_EXPORT}`;
}
