/**
 * Stand-in for the `bun` module that SST's config types import only for the `$` shell of
 * `console.workflow`, which this app does not use. The real `bun-types` redeclare global
 * `URL`, `Headers` and `fetch` and clash with `@types/node` in the lib/ code the stacks
 * import; mapping `bun` here (stacks/tsconfig.json `paths`) keeps Node's globals.
 */
export type Shell = (strings: TemplateStringsArray, ...values: unknown[]) => Promise<unknown>;
