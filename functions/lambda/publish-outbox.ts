import { deferred, preloadIfProvisioned } from "../deferred.ts";

/** The Lambda entry of publish-outbox: loads functions/handlers/publish-outbox.ts on first use. */
export const handler = deferred(() => import("../handlers/publish-outbox.ts"));
await preloadIfProvisioned(handler);
