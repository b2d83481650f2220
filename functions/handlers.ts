import type { TaskKey } from "../lib/workflows/definitions.ts";
import { TASKS } from "../lib/workflows/definitions.ts";
import { handler as api } from "./handlers/api.ts";
import { handler as deleteProviderBackup } from "./handlers/delete-provider-backup.ts";
import { handler as dispatch } from "./handlers/dispatch.ts";
import { handler as expiryStream } from "./handlers/expiry-stream.ts";
import { handler as launchRun } from "./handlers/launch-run.ts";
import { handler as notifySlack } from "./handlers/notify-slack.ts";
import { handler as pollBackup } from "./handlers/poll-backup.ts";
import { handler as pollDeletion } from "./handlers/poll-deletion.ts";
import { handler as pollRestore } from "./handlers/poll-restore.ts";
import { handler as previewRestore } from "./handlers/preview-restore.ts";
import { handler as publishOutbox } from "./handlers/publish-outbox.ts";
import { handler as reconcile } from "./handlers/reconcile.ts";
import { handler as recordDeleteFailure } from "./handlers/record-delete-failure.ts";
import { handler as recordFailure } from "./handlers/record-failure.ts";
import { handler as recordRestoreFailure } from "./handlers/record-restore-failure.ts";
import { handler as slackDigest } from "./handlers/slack-digest.ts";
import { handler as startBackup } from "./handlers/start-backup.ts";
import { handler as startRestore } from "./handlers/start-restore.ts";
import { handler as sweep } from "./handlers/sweep.ts";
import { handler as validateTarget } from "./handlers/validate-target.ts";
import type { FunctionName } from "./manifest.ts";

/** A Lambda handler as the runtime calls it. */
export type LambdaHandler = (event: unknown, context: never) => Promise<unknown>;

/**
 * Every function's handler by name, for the local runtime, which runs them in place of
 * Lambda. Typed against the manifest: a declared function without a handler (or the
 * reverse) does not compile. The Lambda bundles never import this file.
 */
export const HANDLERS = {
  api,
  "validate-target": validateTarget,
  dispatch,
  "launch-run": launchRun,
  sweep,
  "expiry-stream": expiryStream,
  "publish-outbox": publishOutbox,
  reconcile,
  "notify-slack": notifySlack,
  "slack-digest": slackDigest,
  "start-backup": startBackup,
  "poll-backup": pollBackup,
  "record-failure": recordFailure,
  "delete-provider-backup": deleteProviderBackup,
  "poll-deletion": pollDeletion,
  "record-delete-failure": recordDeleteFailure,
  "preview-restore": previewRestore,
  "start-restore": startRestore,
  "poll-restore": pollRestore,
  "record-restore-failure": recordRestoreFailure,
} as const satisfies Record<FunctionName, unknown>;

/** The workflow task handlers by task key, for the local state machines. */
export const taskHandlers = Object.fromEntries(
  Object.entries(TASKS).map(([key, file]) => [key, HANDLERS[file] as unknown as LambdaHandler]),
) as Record<TaskKey, LambdaHandler>;
