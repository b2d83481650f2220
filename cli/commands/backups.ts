import { BackupRecord } from "../../lib/core/backup.ts";
import { BackupStatus } from "../../lib/core/status.ts";
import { instant, parseFlags } from "../args.ts";
import { EXIT, usageError } from "../errors.ts";
import { formatBytes, formatInstant, table } from "../output.ts";
import { listAll, listPage, parseItems } from "../pages.ts";
import { openSession } from "../session.ts";
import type { Command } from "./command.ts";

const FLAGS = {
  target: { type: "string" },
  status: { type: "string" },
  policy: { type: "string" },
  "created-after": { type: "string" },
  "created-before": { type: "string" },
  limit: { type: "string" },
  cursor: { type: "string" },
  all: { type: "boolean" },
} as const;

/** `warden backups [ls]`: the catalogue, newest first. */
export const backupsCommand: Command = {
  name: "backups",
  summary: "list backups as a table (newest first)",
  usage: `usage: warden backups [ls] [--target T] [--status S] [--policy P]
                      [--created-after ISO] [--created-before ISO]
                      [--limit N] [--cursor C] [--all] [--json]

  --status S     one of ${BackupStatus.options.join(", ")}
  --limit N      page size, 1-100 (default 50); a further page is announced on stderr
  --all          follow every page
  --json         print the raw items (a JSON array)`,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, FLAGS);
    if (positionals.length > 1 || (positionals[0] && positionals[0] !== "ls"))
      throw usageError(`unexpected argument "${positionals.at(-1)}"`, [
        "see warden backups --help",
      ]);
    const session = openSession(io, values);
    const status = values.status?.toUpperCase();
    if (status !== undefined && !BackupStatus.safeParse(status).success)
      throw usageError(`--status must be one of ${BackupStatus.options.join(", ")}`);
    const limit = values.limit === undefined ? undefined : Number(values.limit);
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 100))
      throw usageError("--limit must be a whole number from 1 to 100");
    const query = {
      targetId: values.target,
      status,
      policyId: values.policy,
      createdAfter: instant(values["created-after"], "--created-after"),
      createdBefore: instant(values["created-before"], "--created-before"),
    };
    let items: unknown[];
    if (values.all) items = await listAll(session, "/backups", query);
    else {
      const page = await listPage(session, "/backups", { ...query, limit, cursor: values.cursor });
      items = page.items;
      if (page.nextCursor) session.note(`more: --cursor ${page.nextCursor} (or --all)`);
    }
    if (session.json) {
      session.printJson(items);
      return EXIT.ok;
    }
    const backups = parseItems(BackupRecord, items, "backup");
    if (backups.length === 0) session.note("no backups match");
    else
      session.out(
        table(
          ["ID", "TARGET", "STATUS", "CREATED", "SIZE", "TRIGGER"],
          backups.map((b) => [
            b.id,
            b.targetId,
            b.hold ? `${b.status} (held)` : b.status,
            formatInstant(b.createdAt),
            formatBytes(b.sizeBytes),
            b.origin && b.origin !== "managed"
              ? `${b.trigger} (${b.origin})`
              : b.policyId
                ? `${b.trigger}:${b.policyId}`
                : b.trigger,
          ]),
        ),
      );
    return EXIT.ok;
  },
};
