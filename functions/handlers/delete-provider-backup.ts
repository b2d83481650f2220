import { TaskInputs } from "../../lib/workflows/tasks.ts";
import { withTask } from "../middleware.ts";

/** delete-backup: ask the vendor to delete; not found means done. */
export const handler = withTask("delete-provider-backup", TaskInputs.backup, (input, c) =>
  c.tasks.deleteProviderBackup(input),
);
