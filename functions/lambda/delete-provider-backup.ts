import { deferred, preloadIfProvisioned } from "../deferred.ts";

/** The Lambda entry of delete-provider-backup: loads functions/handlers/delete-provider-backup.ts on first use. */
export const handler = deferred(() => import("../handlers/delete-provider-backup.ts"));
await preloadIfProvisioned(handler);
