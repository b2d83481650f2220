import { deferred, preloadIfProvisioned } from "../deferred.ts";

/** The Lambda entry of record-delete-failure: loads functions/handlers/record-delete-failure.ts on first use. */
export const handler = deferred(() => import("../handlers/record-delete-failure.ts"));
await preloadIfProvisioned(handler);
