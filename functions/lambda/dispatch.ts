import { deferred, preloadIfProvisioned } from "../deferred.ts";

/** The Lambda entry of dispatch: loads functions/handlers/dispatch.ts on first use. */
export const handler = deferred(() => import("../handlers/dispatch.ts"));
await preloadIfProvisioned(handler);
