import { deferred, preloadIfProvisioned } from "../deferred.ts";

/** The Lambda entry of notify-slack: loads functions/handlers/notify-slack.ts on first use. */
export const handler = deferred(() => import("../handlers/notify-slack.ts"));
await preloadIfProvisioned(handler);
