import { TaskInputs } from "../../lib/usecases/backup-tasks.ts";
import { withTask } from "../middleware.ts";
import { backupTasks } from "../usecases.ts";

/** create-backup: ask the vendor to start the backup (PENDING → CREATING). */
export const handler = withTask("start-backup", TaskInputs.backup, (input, c) =>
  backupTasks(c).startBackup(input),
);
