import { defineConfig } from "vitest/config";

/**
 * The tests that guard the deletion path, and only those: what `npm run mutation`
 * (Stryker, stryker.config.mjs) runs against each mutant of lib/retention and the status
 * machine. Pure, in-process tests, so no global setup and no secrets guard.
 */
export default defineConfig({
  test: {
    include: ["test/retention/**/*.test.ts", "test/core/status*.test.ts"],
    testTimeout: 30_000,
  },
});
