import { deferred, preloadIfProvisioned } from "../deferred.ts";

/** The Lambda entry of start-backup: loads functions/handlers/start-backup.ts on first use. */
export const handler = deferred(() => import("../handlers/start-backup.ts"));
await preloadIfProvisioned(handler);
