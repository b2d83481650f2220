import { TaskInputs } from "../../lib/usecases/backup-tasks.ts";
import { withTask } from "../middleware.ts";
import { backupTasks } from "../usecases.ts";

/** delete-backup: poll until the vendor no longer has the backup. */
export const handler = withTask("poll-deletion", TaskInputs.poll, (input, c) =>
  backupTasks(c).pollDeletion(input),
);
