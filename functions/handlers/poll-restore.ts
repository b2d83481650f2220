import { RestoreTaskInputs } from "../../lib/usecases/restores.ts";
import { withTask } from "../middleware.ts";
import { restoreTasks } from "../usecases.ts";

/** restore-backup: look at the vendor's restore job; the look that sees its end settles it. */
export const handler = withTask("poll-restore", RestoreTaskInputs.poll, (input, c) =>
  restoreTasks(c).pollRestore(input),
);
