import { TaskInputs } from "../../lib/usecases/backup-tasks.ts";
import { withTask } from "../middleware.ts";
import { backupTasks } from "../usecases.ts";

/** delete-backup: the Catch path — DELETE_FAILED with the reason. */
export const handler = withTask("record-delete-failure", TaskInputs.failure, (input, c) =>
  backupTasks(c).recordDeleteFailure(input),
);
