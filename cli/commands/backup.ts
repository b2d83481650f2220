import * as z from "zod";
import { BackupRecord, HistoryEntry } from "../../lib/core/backup.ts";
import { expectPositionals, instant, parseFlags, seconds } from "../args.ts";
import { CliError, EXIT, type ExitCode, usageError } from "../errors.ts";
import { fields, formatBytes, formatInstant, table } from "../output.ts";
import { getBackup, summaryOf, type WaitGoal, waitForBackup } from "../progress.ts";
import { openSession, type Session } from "../session.ts";
import type { Command } from "./command.ts";

const FLAGS = {
  wait: { type: "boolean" },
  interval: { type: "string" },
  quiet: { type: "boolean", short: "q" },
  "idempotency-key": { type: "string" },
  "expires-at": { type: "string" },
} as const;

const History = z.object({ backupId: z.string(), history: z.array(HistoryEntry) });

/** `warden backup create|get|wait|rm|cancel|history`. */
export const backupCommand: Command = {
  name: "backup",
  summary: "create, follow, inspect and delete one backup",
  usage: `usage:
  warden backup create <target> [--wait] [--idempotency-key K] [--expires-at ISO] [--quiet]
  warden backup wait <backup-id>         follow a backup until it settles
  warden backup get <backup-id> [--json]
  warden backup history <backup-id> [--json]
  warden backup rm <backup-id> [--wait]  delete it at the vendor (the record stays)
  warden backup cancel <backup-id>       stop a backup still being made: FAILED (CANCELLED),
                                         its resource free at once, the vendor side cleaned up

  --wait             follow until AVAILABLE/FAILED (rm: DELETED/DELETE_FAILED): one live line on
                     a terminal, one line per status change elsewhere; exit 5 if it failed
  --interval S       seconds between polls (default 1 locally, 5 on AWS)
  --quiet, -q        print only the backup id (for $(...) in scripts)
  --json             print the backup record as JSON`,
  async run(args, io) {
    const [sub, ...rest] = args;
    const { values, positionals } = parseFlags(rest, FLAGS);
    const session = openSession(io, values);
    const intervalMs = () =>
      seconds(
        values.interval,
        "--interval",
        session.client.connection.auth.kind === "token" ? 1000 : 5000,
      );
    switch (sub) {
      case "create": {
        const [target] = expectPositionals(positionals, ["target"]);
        const expiresAt = instant(values["expires-at"], "--expires-at");
        const key = values["idempotency-key"];
        const { body, headers } = await session.client.call(
          "POST",
          `/targets/${encodeURIComponent(target!)}/backups`,
          {
            ...(expiresAt ? { body: { expiresAt } } : {}),
            ...(key ? { headers: { "idempotency-key": key } } : {}),
          },
        );
        if (headers.get("idempotent-replayed") === "true" && !session.json && !values.quiet)
          session.note(`(replayed: Idempotency-Key ${key} already created this backup)`);
        const record = parseRecord(body);
        return values.wait
          ? follow(session, record, "created", intervalMs(), values.quiet)
          : report(session, record, values.quiet, body);
      }
      case "wait": {
        const [id] = expectPositionals(positionals, ["backup-id"]);
        const record = await getBackup(session, id!);
        const goal: WaitGoal = ["EXPIRING", "DELETING", "DELETED", "DELETE_FAILED"].includes(
          record.status,
        )
          ? "deleted"
          : "created";
        return follow(session, record, goal, intervalMs(), values.quiet);
      }
      case "get": {
        const [id] = expectPositionals(positionals, ["backup-id"]);
        const { body } = await session.client.call("GET", `/backups/${encodeURIComponent(id!)}`);
        if (session.json) session.printJson(body);
        else session.out(details(parseRecord(body)));
        return EXIT.ok;
      }
      case "history": {
        const [id] = expectPositionals(positionals, ["backup-id"]);
        const { body } = await session.client.call(
          "GET",
          `/backups/${encodeURIComponent(id!)}/history`,
        );
        if (session.json) session.printJson(body);
        else session.out(historyTable(History.parse(body).history));
        return EXIT.ok;
      }
      case "rm": {
        const [id] = expectPositionals(positionals, ["backup-id"]);
        const { body } = await session.client.call("DELETE", `/backups/${encodeURIComponent(id!)}`);
        const record = parseRecord(body);
        return values.wait
          ? follow(session, record, "deleted", intervalMs(), values.quiet)
          : report(session, record, values.quiet, body);
      }
      case "cancel": {
        const [id] = expectPositionals(positionals, ["backup-id"]);
        const { body } = await session.client.call(
          "POST",
          `/backups/${encodeURIComponent(id!)}/cancel`,
        );
        const record = parseRecord(body);
        if (session.json) session.printJson(body);
        else if (values.quiet) session.out(record.id);
        else {
          session.out(
            `${record.status}  ${record.id}  ${record.lastError?.message ?? "cancelled"}`,
          );
          session.note(
            "its resource is free for the next backup; what the vendor started is deleted at the next sweep",
          );
        }
        return EXIT.ok;
      }
      default:
        throw usageError(sub ? `unknown subcommand "backup ${sub}"` : "backup needs a subcommand", [
          "see warden backup --help",
        ]);
    }
  },
};

async function follow(
  session: Session,
  first: BackupRecord,
  goal: WaitGoal,
  intervalMs: number,
  quiet: boolean | undefined,
): Promise<ExitCode> {
  const { record, interrupted } = await waitForBackup(session, first, { goal, intervalMs });
  if (interrupted) {
    session.note(`stopped waiting: ${record.id} is ${record.status} and carries on without us`);
    session.note(`follow it again with: warden backup wait ${record.id}`);
    return EXIT.interrupted;
  }
  if (session.json) session.printJson(record);
  else if (quiet) session.out(record.id);
  else session.out(summaryOf(record, goal));
  return record.status === "FAILED" || record.status === "DELETE_FAILED"
    ? EXIT.backupFailed
    : EXIT.ok;
}

function report(
  session: Session,
  record: BackupRecord,
  quiet: boolean | undefined,
  raw: unknown,
): ExitCode {
  if (session.json) session.printJson(raw);
  else if (quiet) session.out(record.id);
  else {
    session.out(`${record.status}  ${record.id}  target ${record.targetId}`);
    session.note(`follow it with: warden backup wait ${record.id}`);
  }
  return EXIT.ok;
}

function parseRecord(body: unknown): BackupRecord {
  const parsed = BackupRecord.safeParse(body);
  if (!parsed.success)
    throw new CliError(
      EXIT.unexpected,
      `unexpected answer (not a backup): ${parsed.error.message}`,
    );
  return parsed.data;
}

function details(r: BackupRecord): string {
  const vendor = [
    r.providerStatus,
    r.providerBackupId && `backup ${r.providerBackupId}`,
    r.providerJobId && `job ${r.providerJobId}`,
  ]
    .filter(Boolean)
    .join(", ");
  return [
    fields([
      ["id", r.id],
      ["target", `${r.targetId} (${r.provider})`],
      ["status", r.status],
      ["trigger", r.policyId ? `${r.trigger} (policy ${r.policyId})` : r.trigger],
      ["created", formatInstant(r.createdAt)],
      ["completed", r.completedAt && formatInstant(r.completedAt)],
      ["progress", r.progress === undefined ? undefined : `${Math.round(r.progress)}%`],
      ["size", r.sizeBytes === undefined ? undefined : formatBytes(r.sizeBytes)],
      ["vendor", vendor || undefined],
      ["expires", r.expiresAt && formatInstant(r.expiresAt)],
      ["hold", r.hold && `${r.hold.reason} (by ${r.hold.by}, ${formatInstant(r.hold.at)})`],
      ["verified", r.verifiedAt && `${formatInstant(r.verifiedAt)} (a restore drill restored it)`],
      [
        "last drill",
        r.verification &&
          `${r.verification.result} ${formatInstant(r.verification.at)} (${r.verification.restoreId}): ${r.verification.detail}`,
      ],
      ["being restored", r.restoringBy?.restoreId],
      ["kept because", r.keepReasons?.join("; ")],
      [
        "last error",
        r.lastError && `${r.lastError.message} (${r.lastError.class}/${r.lastError.code})`,
      ],
      [
        "deleted",
        r.deletedAt && `${formatInstant(r.deletedAt)} (${r.deleteReason ?? "requested"})`,
      ],
    ]),
    "",
    historyTable(r.history),
  ].join("\n");
}

function historyTable(history: HistoryEntry[]): string {
  return table(
    ["AT", "STATUS", "CAUSE"],
    history.map((h) => [formatInstant(h.at), h.status, h.cause]),
  );
}
