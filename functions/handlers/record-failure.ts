import { TaskInputs } from "../../lib/workflows/tasks.ts";
import { withTask } from "../middleware.ts";

/** create-backup: the Catch path — FAILED with the reason, lease released. */
export const handler = withTask("record-failure", TaskInputs.failure, (input, c) =>
  c.tasks.recordFailure(input),
);
