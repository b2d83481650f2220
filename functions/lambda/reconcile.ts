import { deferred, preloadIfProvisioned } from "../deferred.ts";

/** The Lambda entry of reconcile: loads functions/handlers/reconcile.ts on first use. */
export const handler = deferred(() => import("../handlers/reconcile.ts"));
await preloadIfProvisioned(handler);
