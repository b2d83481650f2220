import { TaskInputs } from "../../lib/workflows/tasks.ts";
import { withTask } from "../middleware.ts";

/** create-backup: ask the vendor to start the backup (PENDING → CREATING). */
export const handler = withTask("start-backup", TaskInputs.backup, (input, c) =>
  c.tasks.startBackup(input),
);
