import { withSchedule } from "../middleware.ts";
import { dispatcher } from "../usecases.ts";

/** Every minute (EventBridge schedule): claim the runs that are due, for the launch queue. */
export const handler = withSchedule("dispatch", async (c) => {
  const report = await dispatcher(c).tick();
  return {
    policies: report.policies,
    enqueued: report.enqueued.length,
    failed: report.failed.map((o) => ({ policyId: o.run.policyId, targetId: o.run.targetId })),
  };
});
