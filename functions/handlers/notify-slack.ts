import { AnyEventDetail } from "../../lib/notify/events.ts";
import { withEvent } from "../middleware.ts";
import { slack } from "../usecases.ts";

/**
 * EventBridge rule target for our domain events: one Slack message per event worth a
 * human's attention. The notifier never throws, so a Slack outage never retries or
 * fails anything upstream; the outcome is returned for the invocation log.
 */
export const handler = withEvent("notify-slack", AnyEventDetail, async (event, c) => {
  const outcome = await slack(c).notifier.notify(event);
  return { outcome };
});
