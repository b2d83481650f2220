import { TaskInputs } from "../../lib/usecases/backup-tasks.ts";
import { withTask } from "../middleware.ts";
import { backupTasks } from "../usecases.ts";

/** create-backup: take the single-flight lease on the vendor resource. */
export const handler = withTask("acquire-lease", TaskInputs.backup, (input, c) =>
  backupTasks(c).acquireLease(input),
);
