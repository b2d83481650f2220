import { TargetCompliance } from "../../lib/core/compliance.ts";
import { parseFlags } from "../args.ts";
import { EXIT, usageError } from "../errors.ts";
import { formatBytes, formatDuration, formatInstant, table } from "../output.ts";
import { listAll, parseItems } from "../pages.ts";
import { openSession } from "../session.ts";
import type { Command } from "./command.ts";

const FLAGS = { check: { type: "boolean" } } as const;

/** How each freshness status reads in the table, worst first. */
const ORDER = ["breached", "unprotected", "no-objective", "fresh"] as const;

/** `warden status`: the compliance table — every target against its freshness objective. */
export const statusCommand: Command = {
  name: "status",
  summary: "every target against its freshness objective (RPO): the compliance table",
  usage: `usage: warden status [--check] [--json]

  Lists every target, worst first: its freshness (breached, unprotected, no-objective,
  fresh), its objective and where it comes from, the age of its newest good backup, its
  newest verified backup, its covering policies and what it stores (GET /v1/compliance).

  --check        exit ${EXIT.breached} when any target is breached (for cron and CI)
  --json         print the raw items (a JSON array)`,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, FLAGS);
    if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`);
    const session = openSession(io, values);
    const items = parseItems(
      TargetCompliance,
      await listAll(session, "/compliance", {}),
      "compliance entry",
    );
    const breached = items.filter((c) => c.status === "breached").length;
    if (session.json) session.printJson(items);
    else if (items.length === 0) session.note("no targets registered");
    else {
      const sorted = [...items].sort(
        (a, b) =>
          ORDER.indexOf(a.status) - ORDER.indexOf(b.status) || a.targetId.localeCompare(b.targetId),
      );
      session.out(
        table(
          [
            "TARGET",
            "VENDOR",
            "FRESHNESS",
            "OBJECTIVE",
            "NEWEST GOOD",
            "VERIFIED",
            "POLICIES",
            "STORED",
          ],
          sorted.map((c) => [
            c.targetId,
            c.provider,
            c.status === "breached" && c.breachedSince
              ? `breached since ${formatInstant(c.breachedSince)}`
              : c.status,
            c.objective ? `${c.objective} (${c.objectiveFrom})` : "-",
            c.newestBackup ? `${formatDuration(c.newestBackup.ageSeconds * 1000)} ago` : "none",
            c.newestVerified ? formatInstant(c.newestVerified.at) : "-",
            c.policies.length
              ? c.policies.map((p) => (p.enabled ? p.id : `${p.id} (disabled)`)).join(",")
              : "none",
            formatBytes(c.storedBytes),
          ]),
        ),
      );
      const counts = ORDER.map((s) => [s, items.filter((c) => c.status === s).length] as const)
        .filter(([, n]) => n > 0)
        .map(([s, n]) => `${n} ${s}`);
      session.out(`\n${items.length} targets: ${counts.join(", ")}`);
    }
    return values.check && breached > 0 ? EXIT.breached : EXIT.ok;
  },
};
