export * from "./backups.ts";
export * from "./client.ts";
export * from "./idempotency.ts";
export * from "./keys.ts";
export * from "./leases.ts";
export * from "./page.ts";
export * from "./table.ts";
export * from "./targets.ts";
