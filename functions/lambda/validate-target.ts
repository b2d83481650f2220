import { deferred, preloadIfProvisioned } from "../deferred.ts";

/** The Lambda entry of validate-target: loads functions/handlers/validate-target.ts on first use. */
export const handler = deferred(() => import("../handlers/validate-target.ts"));
await preloadIfProvisioned(handler);
