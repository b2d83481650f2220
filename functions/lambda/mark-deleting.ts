import { deferred, preloadIfProvisioned } from "../deferred.ts";

/** The Lambda entry of mark-deleting: loads functions/handlers/mark-deleting.ts on first use. */
export const handler = deferred(() => import("../handlers/mark-deleting.ts"));
await preloadIfProvisioned(handler);
