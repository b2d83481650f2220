import { TaskInputs } from "../../lib/usecases/backup-tasks.ts";
import { withTask } from "../middleware.ts";
import { backupTasks } from "../usecases.ts";

/** create-backup: poll the vendor; settle AVAILABLE, FAILED or timed out. */
export const handler = withTask("poll-backup", TaskInputs.poll, (input, c) =>
  backupTasks(c).pollBackup(input),
);
