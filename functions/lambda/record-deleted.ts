import { deferred, preloadIfProvisioned } from "../deferred.ts";

/** The Lambda entry of record-deleted: loads functions/handlers/record-deleted.ts on first use. */
export const handler = deferred(() => import("../handlers/record-deleted.ts"));
await preloadIfProvisioned(handler);
