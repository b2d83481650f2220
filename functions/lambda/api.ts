import { deferred, preloadIfProvisioned } from "../deferred.ts";

/** The Lambda entry of api: loads functions/handlers/api.ts on first use. */
export const handler = deferred(() => import("../handlers/api.ts"));
await preloadIfProvisioned(handler);
