import { BackupRecord } from "../lib/core/backup.ts";
import type { BackupStatus } from "../lib/core/status.ts";
import { CliError, EXIT } from "./errors.ts";
import { formatBytes, formatDuration } from "./output.ts";
import type { Session } from "./session.ts";

/** What a wait waits for: a new backup to settle, or a deletion to finish. */
export type WaitGoal = "created" | "deleted";

const IN_PROGRESS: Record<WaitGoal, readonly BackupStatus[]> = {
  created: ["PENDING", "CREATING"],
  deleted: ["EXPIRING", "DELETING"],
};
const SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";
/** Polls that may fail in a row (a restart, a blip) before the wait gives up. */
const TOLERATED_FAILURES = 5;

/** How a wait ended. */
export interface WaitResult {
  record: BackupRecord;
  /** Ctrl-C: the backup carries on without us. */
  interrupted: boolean;
}

/** Reads one backup and validates it. */
export async function getBackup(session: Session, id: string): Promise<BackupRecord> {
  const { body } = await session.client.call("GET", `/backups/${encodeURIComponent(id)}`);
  const parsed = BackupRecord.safeParse(body);
  if (!parsed.success)
    throw new CliError(
      EXIT.unexpected,
      `unexpected answer for backup ${id}: ${parsed.error.message}`,
    );
  return parsed.data;
}

/**
 * Polls a backup until it leaves the in-progress statuses of `goal`, showing live
 * progress on stderr: one redrawn line with a spinner on a terminal, otherwise one plain
 * line per status change (CI logs stay readable).
 */
export async function waitForBackup(
  session: Session,
  first: BackupRecord,
  options: { goal: WaitGoal; intervalMs: number },
): Promise<WaitResult> {
  const { io } = session;
  const trap = io.trapInterrupt?.();
  const view = io.stderr.isTTY
    ? liveLine(session, options.goal)
    : plainLines(session, options.goal);
  let record = first;
  let failures = 0;
  try {
    for (;;) {
      view.show(record);
      if (!IN_PROGRESS[options.goal].includes(record.status)) return { record, interrupted: false };
      await io.sleep(options.intervalMs, trap?.signal);
      if (trap?.signal.aborted) return { record, interrupted: true };
      try {
        record = await getBackup(session, record.id);
        failures = 0;
      } catch (error) {
        const transient = error instanceof CliError && error.exitCode === EXIT.unavailable;
        if (!transient || ++failures > TOLERATED_FAILURES) throw error;
      }
    }
  } finally {
    view.stop();
    trap?.release();
  }
}

/** The one-line outcome of a wait, for stdout. */
export function summaryOf(record: BackupRecord, goal: WaitGoal): string {
  const [from, to] =
    goal === "created"
      ? [record.createdAt, record.completedAt]
      : [record.deleteRequestedAt, record.deletedAt ?? record.completedAt];
  const took = from && to ? formatDuration(Date.parse(to) - Date.parse(from)) : undefined;
  const parts = [record.status, record.id, `target ${record.targetId}`];
  if (record.status === "FAILED" || record.status === "DELETE_FAILED") {
    const e = record.lastError;
    if (took) parts.push(`after ${took}`);
    parts.push(e ? `reason: ${e.message} (${e.class}/${e.code})` : "reason: not reported");
  } else {
    if (took) parts.push(`in ${took}`);
    if (goal === "created" && record.sizeBytes !== undefined)
      parts.push(`size ${formatBytes(record.sizeBytes)}`);
  }
  return parts.join("  ");
}

interface View {
  show(record: BackupRecord): void;
  stop(): void;
}

function describe(record: BackupRecord, goal: WaitGoal): string {
  const since =
    goal === "deleted" ? (record.deleteRequestedAt ?? record.createdAt) : record.createdAt;
  const parts = [formatDuration(Date.now() - Date.parse(since)).padStart(6), record.status];
  if (record.progress !== undefined) parts.push(`${Math.round(record.progress)}%`);
  if (record.providerStatus) parts.push(`(vendor: ${record.providerStatus})`);
  return parts.join("  ");
}

function plainLines(session: Session, goal: WaitGoal): View {
  let last: string | undefined;
  return {
    show(record) {
      if (record.status === last) return;
      last = record.status;
      session.note(`${record.id}  ${describe(record, goal)}`);
    },
    stop() {},
  };
}

function liveLine(session: Session, goal: WaitGoal): View {
  const write = (text: string) => session.io.stderr.write(text);
  let current: BackupRecord | undefined;
  let frame = 0;
  const draw = () => {
    if (!current) return;
    frame = (frame + 1) % SPINNER.length;
    write(`\r\x1b[2K${SPINNER[frame]} ${current.id}  ${describe(current, goal)}`);
  };
  const timer = setInterval(draw, 100);
  return {
    show(record) {
      current = record;
      draw();
    },
    stop() {
      clearInterval(timer);
      write("\r\x1b[2K");
    },
  };
}
