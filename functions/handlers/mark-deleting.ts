import { TaskInputs } from "../../lib/usecases/backup-tasks.ts";
import { withTask } from "../middleware.ts";
import { backupTasks } from "../usecases.ts";

/** delete-backup: move the record to DELETING. */
export const handler = withTask("mark-deleting", TaskInputs.markDeleting, (input, c) =>
  backupTasks(c).markDeleting(input),
);
