import * as z from "zod";
import { withEvent } from "../middleware.ts";
import { slack } from "../usecases.ts";

const DAY_MS = 86_400_000;

/**
 * Daily schedule target: the Slack digest of the 24 hours before the schedule fired
 * (created / failed / deleted / missed per target) and the storage bill, one message per
 * digest webhook.
 */
export const handler = withEvent("slack-digest", z.object({}).loose(), async (event, c) => {
  const to = new Date(event.time).toISOString();
  const period = { from: new Date(Date.parse(to) - DAY_MS).toISOString(), to };
  const { notifier, digestRows, storage } = slack(c);
  const [rows, stored] = await Promise.all([digestRows(period), storage()]);
  return { outcomes: await notifier.sendDigest(rows, period, stored) };
});
