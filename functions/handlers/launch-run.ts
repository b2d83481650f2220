import { LaunchMessage } from "../../lib/schedule/run-queue.ts";
import { withQueue } from "../middleware.ts";
import { runLauncher } from "../usecases.ts";

/** The launch queue (SQS): one claimed schedule run per message, launched. */
export const handler = withQueue("launch-run", LaunchMessage, (message, c) =>
  runLauncher(c).launch(message),
);
