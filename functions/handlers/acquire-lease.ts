import { TaskInputs } from "../../lib/workflows/tasks.ts";
import { withTask } from "../middleware.ts";

/** create-backup: take the single-flight lease on the vendor resource. */
export const handler = withTask("acquire-lease", TaskInputs.backup, (input, c) =>
  c.tasks.acquireLease(input),
);
