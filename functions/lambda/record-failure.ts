import { deferred, preloadIfProvisioned } from "../deferred.ts";

/** The Lambda entry of record-failure: loads functions/handlers/record-failure.ts on first use. */
export const handler = deferred(() => import("../handlers/record-failure.ts"));
await preloadIfProvisioned(handler);
