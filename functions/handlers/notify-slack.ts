import { AnyEventDetail } from "../../lib/notify/events.ts";
import { notifierFromContainer, withEvent } from "../event-middleware.ts";

/**
 * EventBridge rule target for our domain events: one Slack message per event worth a
 * human's attention. The notifier never throws, so a Slack outage never retries or
 * fails anything upstream; the outcome is returned for the invocation log.
 */
export const handler = withEvent(AnyEventDetail, async (event) => {
  const outcome = await notifierFromContainer().notifier.notify(event);
  return { outcome };
});
