import { deferred, preloadIfProvisioned } from "../deferred.ts";

/** The Lambda entry of acquire-lease: loads functions/handlers/acquire-lease.ts on first use. */
export const handler = deferred(() => import("../handlers/acquire-lease.ts"));
await preloadIfProvisioned(handler);
