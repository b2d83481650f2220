import { deferred, preloadIfProvisioned } from "../deferred.ts";

/** The Lambda entry of poll-deletion: loads functions/handlers/poll-deletion.ts on first use. */
export const handler = deferred(() => import("../handlers/poll-deletion.ts"));
await preloadIfProvisioned(handler);
