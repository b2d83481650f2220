import { deferred, preloadIfProvisioned } from "../deferred.ts";

/** The Lambda entry of slack-digest: loads functions/handlers/slack-digest.ts on first use. */
export const handler = deferred(() => import("../handlers/slack-digest.ts"));
await preloadIfProvisioned(handler);
