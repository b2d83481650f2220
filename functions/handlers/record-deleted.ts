import { TaskInputs } from "../../lib/usecases/backup-tasks.ts";
import { withTask } from "../middleware.ts";
import { backupTasks } from "../usecases.ts";

/** delete-backup: DELETING → DELETED, the record kept as a tombstone. */
export const handler = withTask("record-deleted", TaskInputs.backup, (input, c) =>
  backupTasks(c).recordDeleted(input),
);
