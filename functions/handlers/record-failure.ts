import { TaskInputs } from "../../lib/usecases/backup-tasks.ts";
import { withTask } from "../middleware.ts";
import { backupTasks } from "../usecases.ts";

/** create-backup: the Catch path — FAILED with the reason, lease released. */
export const handler = withTask("record-failure", TaskInputs.failure, (input, c) =>
  backupTasks(c).recordFailure(input),
);
