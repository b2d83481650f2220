import * as z from "zod";
import { RestoreRecord } from "../../lib/core/restore.ts";
import { expectPositionals, parseFlags, seconds } from "../args.ts";
import { CliError, EXIT, type ExitCode, usageError } from "../errors.ts";
import { fields, formatDuration, formatInstant, table } from "../output.ts";
import { openSession, type Session } from "../session.ts";
import type { Command } from "./command.ts";

const FLAGS = {
  to: { type: "string" },
  yes: { type: "boolean", short: "y" },
  detach: { type: "boolean" },
  interval: { type: "string" },
  quiet: { type: "boolean", short: "q" },
  "idempotency-key": { type: "string" },
} as const;

const Preview = z.object({
  restoresInto: z.enum(["new", "existing"]),
  overwrites: z.object({ resourceId: z.string(), summary: z.string() }).optional(),
  confirmationToken: z.string().optional(),
  expiresAt: z.string().optional(),
});

const SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";
const IN_PROGRESS = new Set(["PENDING", "RESTORING"]);

/** `warden restore <backup-id> --to …`: preview, confirm an overwrite, restore, follow. */
export const restoreCommand: Command = {
  name: "restore",
  summary: "restore a backup (a preview first; an overwrite asks before it goes)",
  usage: `usage:
  warden restore <backup-id> --to DEST [--yes] [--detach] [--idempotency-key K] [--quiet]
  warden restore wait <restore-id>     follow a restore until it settles
  warden restore get <restore-id> [--json]

  --to DEST      where to: JSON ('{"indexName":"copy"}') or key=value pairs
                 (indexName=copy; clusterName=copy,cuSize=1; instanceId=…):
                   Pinecone  indexName                 (a new index)
                   Zilliz    clusterName, cuSize       (a new cluster, for a cluster backup)
                             clusterId                 (an existing cluster, for collections)
                   TaurusDB  instanceName              (a new instance)
                             instanceId                (an existing instance: overwritten)
                   DCS       instanceId                (an existing instance: overwritten)
  --yes, -y      overwrite without asking (the preview is still shown)
  --detach       do not follow the restore; print its id
  --interval S   seconds between polls (default 1 locally, 5 on AWS)
  --json         print the restore record as JSON

A restore into an existing resource replaces its data: the preview says exactly what, and
the restore asks before it goes (or needs --yes where nobody can be asked).`,
  async run(args, io) {
    const [first, ...rest] = args;
    const { values, positionals } = parseFlags(rest, FLAGS);
    const session = openSession(io, values);
    const intervalMs = seconds(
      values.interval,
      "--interval",
      session.client.connection.auth.kind === "token" ? 1000 : 5000,
    );
    if (first === "wait" || first === "get") {
      const [id] = expectPositionals(positionals, ["restore-id"]);
      const record = await getRestore(session, id!);
      if (first === "get") {
        if (session.json) session.printJson(record);
        else session.out(details(record));
        return EXIT.ok;
      }
      return follow(session, record, intervalMs, values.quiet);
    }
    if (!first || first.startsWith("-")) throw usageError("restore needs a <backup-id>");
    expectPositionals(positionals, []);
    if (!values.to) throw usageError("restore needs --to DEST (see warden restore --help)");
    const destination = parseDestination(values.to);
    const path = `/backups/${encodeURIComponent(first)}/restores`;

    const preview = Preview.parse(
      (
        await session.client.call("POST", path, {
          query: { dryRun: "true" },
          body: { destination },
        })
      ).body,
    );
    let confirmationToken: string | undefined;
    if (preview.restoresInto === "existing" && preview.overwrites) {
      session.note(`This restore OVERWRITES ${preview.overwrites.summary}`);
      if (!values.yes) {
        if (!io.confirm)
          throw new CliError(EXIT.usage, "refusing to overwrite without confirmation", {
            lines: ["nobody can be asked here: pass --yes to overwrite"],
          });
        if (!(await io.confirm("Overwrite it with the backup?"))) {
          session.note("nothing was changed");
          return EXIT.ok;
        }
      }
      confirmationToken = preview.confirmationToken;
    } else if (!session.json && !values.quiet) {
      session.note("restores into a new resource: nothing existing is overwritten");
    }
    const key = values["idempotency-key"];
    const { body } = await session.client.call("POST", path, {
      body: { destination, ...(confirmationToken ? { confirmationToken } : {}) },
      ...(key ? { headers: { "idempotency-key": key } } : {}),
    });
    const record = parseRecord(body);
    if (values.detach) {
      if (session.json) session.printJson(record);
      else if (values.quiet) session.out(record.id);
      else {
        session.out(`${record.status}  ${record.id}  backup ${record.backupId}`);
        session.note(`follow it with: warden restore wait ${record.id}`);
      }
      return EXIT.ok;
    }
    return follow(session, record, intervalMs, values.quiet);
  },
};

/** `--to`: a JSON object, or `key=value` pairs (numbers for numeric values). */
export function parseDestination(text: string): Record<string, unknown> {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    try {
      const value = JSON.parse(trimmed) as unknown;
      if (value && typeof value === "object" && !Array.isArray(value))
        return value as Record<string, unknown>;
    } catch {
      // reported below
    }
    throw usageError("--to is not a JSON object");
  }
  const destination: Record<string, unknown> = {};
  for (const pair of trimmed.split(",")) {
    const at = pair.indexOf("=");
    if (at <= 0) throw usageError(`--to: "${pair}" is not key=value`);
    const value = pair.slice(at + 1).trim();
    destination[pair.slice(0, at).trim()] = /^\d+$/.test(value) ? Number(value) : value;
  }
  return destination;
}

async function getRestore(session: Session, id: string): Promise<RestoreRecord> {
  const { body } = await session.client.call("GET", `/restores/${encodeURIComponent(id)}`);
  return parseRecord(body);
}

/** Polls until the restore settles: one live line on a terminal, a line per change elsewhere. */
async function follow(
  session: Session,
  first: RestoreRecord,
  intervalMs: number,
  quiet: boolean | undefined,
): Promise<ExitCode> {
  const { io } = session;
  const trap = io.trapInterrupt?.();
  let record = first;
  let last: string | undefined;
  let frame = 0;
  const line = (r: RestoreRecord) =>
    [
      r.id,
      formatDuration(Date.now() - Date.parse(r.createdAt)).padStart(6),
      r.status,
      r.progress === undefined ? undefined : `${Math.round(r.progress)}%`,
      r.providerStatus && `(vendor: ${r.providerStatus})`,
    ]
      .filter(Boolean)
      .join("  ");
  try {
    for (;;) {
      if (io.stderr.isTTY) {
        frame = (frame + 1) % SPINNER.length;
        io.stderr.write(`\r\x1b[2K${SPINNER[frame]} ${line(record)}`);
      } else if (record.status !== last) session.note(line(record));
      last = record.status;
      if (!IN_PROGRESS.has(record.status)) break;
      await io.sleep(intervalMs, trap?.signal);
      if (trap?.signal.aborted) {
        if (io.stderr.isTTY) io.stderr.write("\r\x1b[2K");
        session.note(`stopped waiting: ${record.id} is ${record.status} and carries on without us`);
        session.note(`follow it again with: warden restore wait ${record.id}`);
        return EXIT.interrupted;
      }
      record = await getRestore(session, record.id);
    }
  } finally {
    trap?.release();
  }
  if (io.stderr.isTTY) io.stderr.write("\r\x1b[2K");
  if (session.json) session.printJson(record);
  else if (quiet) session.out(record.id);
  else session.out(summary(record));
  return record.status === "RESTORE_FAILED" ? EXIT.backupFailed : EXIT.ok;
}

function summary(r: RestoreRecord): string {
  const took = r.completedAt
    ? formatDuration(Date.parse(r.completedAt) - Date.parse(r.createdAt))
    : undefined;
  const parts = [r.status, r.id, `backup ${r.backupId}`];
  if (r.providerResourceId) parts.push(`into ${r.providerResourceId}`);
  if (took) parts.push(`${r.status === "RESTORED" ? "in" : "after"} ${took}`);
  if (r.lastError)
    parts.push(`reason: ${r.lastError.message} (${r.lastError.class}/${r.lastError.code})`);
  return parts.join("  ");
}

function details(r: RestoreRecord): string {
  return [
    fields([
      ["id", r.id],
      ["backup", r.backupId],
      ["target", `${r.targetId} (${r.provider})`],
      ["status", r.status],
      ["destination", JSON.stringify(r.destination)],
      ["overwrites", r.overwrites?.summary],
      [
        "resource",
        r.providerResourceId && `${r.providerResourceId}${r.createdResource ? " (new)" : ""}`,
      ],
      ["requested by", r.requestedBy],
      ["created", formatInstant(r.createdAt)],
      ["completed", r.completedAt && formatInstant(r.completedAt)],
      ["progress", r.progress === undefined ? undefined : `${Math.round(r.progress)}%`],
      [
        "last error",
        r.lastError && `${r.lastError.message} (${r.lastError.class}/${r.lastError.code})`,
      ],
    ]),
    "",
    table(
      ["AT", "STATUS", "CAUSE"],
      r.history.map((h) => [formatInstant(h.at), h.status, h.cause]),
    ),
  ].join("\n");
}

function parseRecord(body: unknown): RestoreRecord {
  const parsed = RestoreRecord.safeParse(body);
  if (!parsed.success)
    throw new CliError(
      EXIT.unexpected,
      `unexpected answer (not a restore): ${parsed.error.message}`,
    );
  return parsed.data;
}
