import { deferred, preloadIfProvisioned } from "../deferred.ts";

/** The Lambda entry of expiry-stream: loads functions/handlers/expiry-stream.ts on first use. */
export const handler = deferred(() => import("../handlers/expiry-stream.ts"));
await preloadIfProvisioned(handler);
