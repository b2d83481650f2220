import { withSchedule } from "../middleware.ts";

/** Every 15 minutes (EventBridge schedule): due markers, re-plans, retries, resumes, clean-ups. */
export const handler = withSchedule("sweep", (c) => c.sweeper.sweep());
