import { RestoreTaskInputs } from "../../lib/usecases/restores.ts";
import { withTask } from "../middleware.ts";
import { restoreTasks } from "../usecases.ts";

/** restore-backup's first step: take the destination's lease, ask the vendor to restore. */
export const handler = withTask("start-restore", RestoreTaskInputs.restore, (input, c) =>
  restoreTasks(c).startRestore(input),
);
