import { deferred, preloadIfProvisioned } from "../deferred.ts";

/** The Lambda entry of record-restore-failure: loads functions/handlers/record-restore-failure.ts on first use. */
export const handler = deferred(() => import("../handlers/record-restore-failure.ts"));
await preloadIfProvisioned(handler);
