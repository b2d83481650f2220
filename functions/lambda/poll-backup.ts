import { deferred, preloadIfProvisioned } from "../deferred.ts";

/** The Lambda entry of poll-backup: loads functions/handlers/poll-backup.ts on first use. */
export const handler = deferred(() => import("../handlers/poll-backup.ts"));
await preloadIfProvisioned(handler);
