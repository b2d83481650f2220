import type { BackupStatus } from "../core/status.ts";
import type { BackupRepository } from "../store/backups.ts";
import { executionName, type WorkflowStarter } from "../workflows/starter.ts";

/** Which workflow carries a record in each in-flight status forward. */
const RESUME = {
  PENDING: "create-backup",
  CREATING: "create-backup",
  EXPIRING: "delete-backup",
  DELETING: "delete-backup",
} as const satisfies Partial<Record<BackupStatus, string>>;

/**
 * Restarts the workflow of every record a crash can leave mid-way — PENDING, CREATING,
 * EXPIRING (decided, delete not yet started), DELETING — after the local runtime was
 * killed, or an execution was lost. Safe because every task is idempotent: a create
 * that already reached the vendor resumes polling, a delete re-checks the vendor.
 * Records are found by the by-status index (Queries, never a Scan).
 *
 * @returns the ids of the records whose workflow was restarted.
 */
export async function resumeInFlight(deps: {
  backups: BackupRepository;
  workflows: WorkflowStarter;
}): Promise<string[]> {
  const resumed: string[] = [];
  for (const [status, workflow] of Object.entries(RESUME) as [
    keyof typeof RESUME,
    (typeof RESUME)[keyof typeof RESUME],
  ][]) {
    await deps.backups.forEachWithStatus(status, async (record) => {
      const input =
        workflow === "create-backup"
          ? { backupId: record.id }
          : { backupId: record.id, reason: record.deleteReason ?? "resume" };
      const { started } = await deps.workflows.start(
        workflow,
        executionName(workflow, record.id, `resume${record.version}`),
        input,
      );
      if (started) resumed.push(record.id);
    });
  }
  return resumed;
}
