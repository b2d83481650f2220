import { TaskInputs } from "../../lib/usecases/backup-tasks.ts";
import { withTask } from "../middleware.ts";
import { backupTasks } from "../usecases.ts";

/** delete-backup: ask the vendor to delete; not found means done. */
export const handler = withTask("delete-provider-backup", TaskInputs.backup, (input, c) =>
  backupTasks(c).deleteProviderBackup(input),
);
