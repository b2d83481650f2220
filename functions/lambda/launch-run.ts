import { deferred, preloadIfProvisioned } from "../deferred.ts";

/** The Lambda entry of launch-run: loads functions/handlers/launch-run.ts on first use. */
export const handler = deferred(() => import("../handlers/launch-run.ts"));
await preloadIfProvisioned(handler);
