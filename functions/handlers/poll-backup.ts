import { TaskInputs } from "../../lib/workflows/tasks.ts";
import { withTask } from "../middleware.ts";

/** create-backup: poll the vendor; settle AVAILABLE, FAILED or timed out. */
export const handler = withTask("poll-backup", TaskInputs.poll, (input, c) =>
  c.tasks.pollBackup(input),
);
