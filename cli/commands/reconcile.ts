import * as z from "zod";
import { parseFlags } from "../args.ts";
import { CliError, EXIT, usageError } from "../errors.ts";
import { formatInstant } from "../output.ts";
import { listAll } from "../pages.ts";
import { openSession, type Session } from "../session.ts";
import type { Command } from "./command.ts";

const FLAGS = { target: { type: "string" }, "dry-run": { type: "boolean" } } as const;

/** The answer of `…/reconciliation` (lib/usecases/reconcile.ts), the fields shown. */
const Reconciliation = z.object({
  targetId: z.string(),
  checkedAt: z.string(),
  dryRun: z.boolean(),
  vendorBackups: z.number(),
  records: z.number(),
  differences: z.array(
    z.object({
      kind: z.string(),
      providerBackupId: z.string(),
      backupId: z.string().optional(),
      ownerBackupId: z.string().optional(),
      providerStatus: z.string().optional(),
      action: z.string(),
      reason: z.string(),
    }),
  ),
});
type Reconciliation = z.infer<typeof Reconciliation>;

/** `warden reconcile`: the vendors' backups against the catalogue, one target or all. */
export const reconcileCommand: Command = {
  name: "reconcile",
  summary: "compare vendor backups with the catalogue (orphans, unmanaged, vanished)",
  usage: `usage: warden reconcile [--target ID] [--dry-run] [--json]

  Lists each target's backups at its vendor and compares them with the catalogue:
    orphan      carries our id but no record claims it (or duplicates a record's backup):
                recorded, then deleted after the grace period (WARDEN_ORPHAN_GRACE_HOURS)
    unmanaged   not made by backup-warden (console, the vendor's automatic backups):
                imported as an unmanaged record, never deleted unless a policy opts in
    vanished    a record whose vendor backup is gone without our deleting it: marked
    orphan-due  an orphan whose grace period is over: deleted
  --target     only this target (default: every target)
  --dry-run    show the differences and what would be done; change nothing
  --json       print the answers as JSON`,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, FLAGS);
    if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`);
    const session = openSession(io, values);
    const dryRun = values["dry-run"] === true;
    const ids = values.target
      ? [values.target]
      : (await listAll(session, "/targets")).map((t) => String((t as { id: unknown }).id));
    const results: Reconciliation[] = [];
    for (const id of ids) {
      const result = await reconcileOne(session, id, dryRun);
      results.push(result);
      if (!session.json) print(session, result);
    }
    if (session.json) session.printJson(values.target ? results[0] : results);
    else if (ids.length === 0) session.out("no targets");
    else if (ids.length > 1) {
      const total = results.reduce((n, r) => n + r.differences.length, 0);
      session.out(
        `\n${total} difference${total === 1 ? "" : "s"} across ${ids.length} targets${dryRun ? " (dry run: nothing was changed)" : ""}`,
      );
    }
    return EXIT.ok;
  },
};

async function reconcileOne(session: Session, id: string, dryRun: boolean) {
  const { body } = await session.client.call(
    dryRun ? "GET" : "POST",
    `/targets/${encodeURIComponent(id)}/reconciliation`,
  );
  const parsed = Reconciliation.safeParse(body);
  if (!parsed.success)
    throw new CliError(EXIT.unexpected, `unexpected answer for target ${id}: not a reconciliation`);
  return parsed.data;
}

function print(session: Session, r: Reconciliation): void {
  session.out(
    `${r.targetId}: ${r.vendorBackups} vendor backups, ${r.records} records, ${r.differences.length} difference${r.differences.length === 1 ? "" : "s"} (checked ${formatInstant(r.checkedAt)}${r.dryRun ? ", dry run" : ""})`,
  );
  for (const d of r.differences) {
    const ids = [
      d.providerBackupId,
      d.backupId && `record ${d.backupId}`,
      d.ownerBackupId && `carries ${d.ownerBackupId}`,
    ]
      .filter(Boolean)
      .join(", ");
    session.out(`  ${d.kind.padEnd(10)} ${ids}${d.providerStatus ? ` [${d.providerStatus}]` : ""}`);
    session.out(`             why:  ${d.reason}`);
    session.out(`             ${r.dryRun ? "would" : "done"}: ${d.action}`);
  }
}
