import { BackupRecord } from "../../lib/core/backup.ts";
import { expectPositionals, parseFlags, required } from "../args.ts";
import { EXIT } from "../errors.ts";
import { openSession } from "../session.ts";
import type { Command } from "./command.ts";

/** `warden hold <backup-id> --reason R`: a held backup is never deleted, by anyone. */
export const holdCommand: Command = {
  name: "hold",
  summary: "place a legal hold on a backup (never deleted while held)",
  usage: `usage: warden hold <backup-id> --reason R [--json]

  Retention, target deletion and \`backup rm\` all leave a held backup alone until
  \`warden unhold\` lifts the hold.`,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, { reason: { type: "string" } });
    const [id] = expectPositionals(positionals, ["backup-id"]);
    const reason = required(values.reason, "--reason");
    const session = openSession(io, values);
    const { body } = await session.client.call("PUT", `/backups/${encodeURIComponent(id!)}/hold`, {
      body: { reason },
    });
    if (session.json) session.printJson(body);
    else {
      const hold = BackupRecord.parse(body).hold;
      session.out(`held ${id}: ${hold?.reason ?? reason}${hold ? ` (by ${hold.by})` : ""}`);
    }
    return EXIT.ok;
  },
};

/** `warden unhold <backup-id>`. */
export const unholdCommand: Command = {
  name: "unhold",
  summary: "lift a legal hold",
  usage: "usage: warden unhold <backup-id> [--json]",
  async run(args, io) {
    const { values, positionals } = parseFlags(args, {});
    const [id] = expectPositionals(positionals, ["backup-id"]);
    const session = openSession(io, values);
    const { body } = await session.client.call(
      "DELETE",
      `/backups/${encodeURIComponent(id!)}/hold`,
    );
    if (session.json) session.printJson(body);
    else session.out(`released ${id}: retention applies to it again`);
    return EXIT.ok;
  },
};
