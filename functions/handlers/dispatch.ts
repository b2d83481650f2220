import { withSchedule } from "../middleware.ts";
import { dispatcher } from "../usecases.ts";

/**
 * Every minute (EventBridge schedule): claim the runs that are due, for the launch queue.
 * A fleet too large for one invocation is left, unadvanced, to the next tick once the time
 * left runs short — never cut off by the timeout mid-batch.
 */
export const handler = withSchedule("dispatch", async (c, lambda) => {
  const report = await dispatcher(c).tick(undefined, {
    remainingMs: () => lambda.getRemainingTimeInMillis(),
  });
  return {
    policies: report.policies,
    enqueued: report.enqueued.length,
    deferred: report.deferred,
    outOfTime: report.outOfTime,
    failed: report.failed.map((o) => ({ policyId: o.run.policyId, targetId: o.run.targetId })),
  };
});
