import { deferred, preloadIfProvisioned } from "../deferred.ts";

/** The Lambda entry of poll-restore: loads functions/handlers/poll-restore.ts on first use. */
export const handler = deferred(() => import("../handlers/poll-restore.ts"));
await preloadIfProvisioned(handler);
