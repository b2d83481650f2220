/**
 * Runs a script's `main` when the file is executed (not imported): its result is the exit
 * code, and a failure prints its message alone, without a stack, and exits 1.
 *
 * @example if (import.meta.main) runMain(main);
 */
export function runMain(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
