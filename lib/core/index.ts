export * from "./backup.ts";
export * from "./clock.ts";
export * from "./errors.ts";
export * from "./ids.ts";
export * from "./provider-error.ts";
export * from "./status.ts";
export * from "./target.ts";
