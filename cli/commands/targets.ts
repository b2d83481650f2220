import { CreateTargetInput, Target } from "../../lib/core/target.ts";
import { vendorFacts } from "../../lib/core/vendors.ts";
import { expectPositionals } from "../args.ts";
import { type EntityCli, entityCommand } from "../entities.ts";
import { CliError, EXIT, usageError } from "../errors.ts";
import { table } from "../output.ts";

/** How the targets commands read and show a target. */
const ENTITY: EntityCli<Target> = {
  name: "target",
  path: "/targets",
  schema: Target,
  create: CreateTargetInput,
  table: (items) => targetTable(items),
  emptyNote: "no targets yet: warden targets add --file …",
};

/** `warden targets ls|get|add|rm`. */
export const targetsCommand = entityCommand(ENTITY, {
  name: "targets",
  summary: "list, show, register and delete targets",
  rmUsage: "rm <target-id> [--backups keep|expire]",
  notes: `  A target with backups needs --backups: keep leaves them (records and vendor copies) as
  they are; expire deletes them (held ones excepted) and retires the target until then.
  To change a target, put it in a file and use \`warden apply -f\`.`,
  flags: { backups: { type: "string" } },
  async rm({ session, positionals, values }) {
    const [id] = expectPositionals(positionals, ["target-id"]);
    const choice = values.backups;
    if (choice !== undefined && choice !== "keep" && choice !== "expire")
      throw usageError("--backups must be keep or expire");
    const response = await session.client
      .call("DELETE", `/targets/${encodeURIComponent(id!)}`, { query: { backups: choice } })
      .catch((error: unknown) => {
        if (error instanceof CliError && error.httpStatus === 409 && !choice)
          error.lines.push("pass --backups keep (leave them) or --backups expire (delete them)");
        throw error;
      });
    if (session.json) session.printJson(response.body ?? { targetId: id, deleted: true });
    else if (response.status === 204) session.out(`deleted target ${id}`);
    else
      session.out(
        `retiring target ${id}: its backups are being expired; it goes once they are gone`,
      );
    return EXIT.ok;
  },
});

function targetTable(targets: Target[]): string {
  return table(
    ["ID", "PROVIDER", "RESOURCE", "SECRET", "TAGS"],
    targets.map((t) => [
      t.retiredAt ? `${t.id} (retiring)` : t.id,
      t.provider,
      resourceOf(t),
      t.secretRef,
      Object.entries(t.tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(",") || "-",
    ]),
  );
}

/** The vendor resource in a few characters (lib/core/vendors.ts). */
function resourceOf(t: Target): string {
  return vendorFacts(t.provider)?.describe(t.resource) ?? "?";
}
