import { deferred, preloadIfProvisioned } from "../deferred.ts";

/** The Lambda entry of sweep: loads functions/handlers/sweep.ts on first use. */
export const handler = deferred(() => import("../handlers/sweep.ts"));
await preloadIfProvisioned(handler);
