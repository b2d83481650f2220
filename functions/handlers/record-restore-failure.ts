import { RestoreTaskInputs } from "../../lib/usecases/restores.ts";
import { withTask } from "../middleware.ts";
import { restoreTasks } from "../usecases.ts";

/** restore-backup's Catch path: RESTORE_FAILED with the reason, lease and mark lifted. */
export const handler = withTask("record-restore-failure", RestoreTaskInputs.failure, (input, c) =>
  restoreTasks(c).recordRestoreFailure(input),
);
