import { deferred, preloadIfProvisioned } from "../deferred.ts";

/** The Lambda entry of preview-restore: loads functions/handlers/preview-restore.ts on first use. */
export const handler = deferred(() => import("../handlers/preview-restore.ts"));
await preloadIfProvisioned(handler);
