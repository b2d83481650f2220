import type { TaskKey } from "../lib/workflows/definitions.ts";
import { handler as acquireLease } from "./handlers/acquire-lease.ts";
import { handler as deleteProviderBackup } from "./handlers/delete-provider-backup.ts";
import { handler as markDeleting } from "./handlers/mark-deleting.ts";
import { handler as pollBackup } from "./handlers/poll-backup.ts";
import { handler as pollDeletion } from "./handlers/poll-deletion.ts";
import { handler as recordDeleteFailure } from "./handlers/record-delete-failure.ts";
import { handler as recordDeleted } from "./handlers/record-deleted.ts";
import { handler as recordFailure } from "./handlers/record-failure.ts";
import { handler as startBackup } from "./handlers/start-backup.ts";

export { handler as api } from "./handlers/api.ts";

/** Every workflow task handler by task key: the local runtime runs these in place of Lambda. */
export const taskHandlers = {
  acquireLease,
  startBackup,
  pollBackup,
  recordFailure,
  markDeleting,
  deleteProviderBackup,
  pollDeletion,
  recordDeleted,
  recordDeleteFailure,
} satisfies Record<TaskKey, unknown>;
