import { TaskInputs } from "../../lib/workflows/tasks.ts";
import { withTask } from "../middleware.ts";

/** delete-backup: DELETING → DELETED, the record kept as a tombstone. */
export const handler = withTask("record-deleted", TaskInputs.backup, (input, c) =>
  c.tasks.recordDeleted(input),
);
