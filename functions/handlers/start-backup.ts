import { TaskInputs } from "../../lib/usecases/backup-tasks.ts";
import { withTask } from "../middleware.ts";
import { backupTasks } from "../usecases.ts";

/** create-backup's first step: take the lease, ask the vendor to start (PENDING → CREATING). */
export const handler = withTask("start-backup", TaskInputs.start, (input, c) =>
  backupTasks(c).startBackup(input),
);
