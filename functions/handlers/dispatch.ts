import { withSchedule } from "../middleware.ts";
import { dispatcher } from "../usecases.ts";

/** Every minute (EventBridge schedule): start the backups that are due. */
export const handler = withSchedule("dispatch", async (c) => {
  const outcomes = await dispatcher(c).tick();
  return {
    dispatched: outcomes.map((o) => ({
      kind: o.kind,
      policyId: o.run.policyId,
      targetId: o.run.targetId,
    })),
  };
});
