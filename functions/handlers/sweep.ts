import { withSchedule } from "../middleware.ts";
import { sweeper } from "../usecases.ts";

/** Every 15 minutes (EventBridge schedule): due markers, re-plans, retries, resumes, clean-ups. */
export const handler = withSchedule("sweep", (c) => sweeper(c).sweep());
