import { TaskInputs } from "../../lib/workflows/tasks.ts";
import { withTask } from "../middleware.ts";

/** delete-backup: move the record to DELETING. */
export const handler = withTask("mark-deleting", TaskInputs.markDeleting, (input, c) =>
  c.tasks.markDeleting(input),
);
