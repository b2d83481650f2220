import { TaskInputs } from "../../lib/usecases/backup-tasks.ts";
import { withTask } from "../middleware.ts";
import { backupTasks } from "../usecases.ts";

/**
 * delete-backup's first step: the record to DELETING, then the vendor's delete; not found
 * means done, and a delete confirmed at once writes the tombstone.
 */
export const handler = withTask("delete-provider-backup", TaskInputs.deletion, (input, c) =>
  backupTasks(c).deleteProviderBackup(input),
);
