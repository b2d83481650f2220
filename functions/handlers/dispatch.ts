import { withSchedule } from "../middleware.ts";

/** Every minute (EventBridge schedule): start the backups that are due. */
export const handler = withSchedule("dispatch", async (c) => {
  const outcomes = await c.dispatcher.tick();
  return {
    dispatched: outcomes.map((o) => ({
      kind: o.kind,
      policyId: o.run.policyId,
      targetId: o.run.targetId,
    })),
  };
});
