import { deferred, preloadIfProvisioned } from "../deferred.ts";

/** The Lambda entry of start-restore: loads functions/handlers/start-restore.ts on first use. */
export const handler = deferred(() => import("../handlers/start-restore.ts"));
await preloadIfProvisioned(handler);
