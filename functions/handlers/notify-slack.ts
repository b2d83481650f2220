import { AnyEventDetail } from "../../lib/notify/events.ts";
import { withEvent } from "../middleware.ts";
import { slack } from "../usecases.ts";

/**
 * EventBridge rule target for our domain events: one Slack message per event worth a
 * human's attention. The notifier never throws, so a Slack outage never retries or
 * fails anything upstream; the outcome is returned for the invocation log. The one
 * exception is a delivery another invocation holds: that one is retried.
 */
export const handler = withEvent("notify-slack", AnyEventDetail, async (event, c) => {
  const outcome = await slack(c).notifier.notify(event);
  // Another delivery of this event claimed it and has not finished: it may have died. The
  // error makes Lambda retry (asynchronous invocation, twice) after the claim goes stale.
  if (outcome === "busy") throw new DeliveryBusyError();
  return { outcome };
});

/** A redelivered event another invocation is (or was) messaging; retried later. */
class DeliveryBusyError extends Error {
  override readonly name = "DeliveryBusy";
  constructor() {
    super("another delivery of this event has claimed it and not finished; retry later");
  }
}
