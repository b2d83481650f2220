import pMap from "p-map";
import { loadWardenFile } from "../apply-file.ts";
import { type ApplyPlan, type Change, planChanges, renderPlan } from "../apply-plan.ts";
import { parseFlags, positiveInteger, required } from "../args.ts";
import { EXIT, usageError } from "../errors.ts";
import { listAll } from "../pages.ts";
import { openSession, type Session } from "../session.ts";
import type { Command } from "./command.ts";

const FLAGS = {
  file: { type: "string", short: "f" },
  yes: { type: "boolean", short: "y" },
  "dry-run": { type: "boolean" },
  prune: { type: "boolean" },
  concurrency: { type: "string" },
} as const;

/** Changes sent at once by default: a fleet's thousands of targets in minutes, not hours. */
const DEFAULT_CONCURRENCY = 8;

const PATHS = { target: "/targets", policy: "/policies" } as const;

/** `warden apply -f warden.yaml`: declarative targets and policies. */
export const applyCommand: Command = {
  name: "apply",
  summary: "make the server match a warden.yaml (targets and policies), after showing the diff",
  usage: `usage: warden apply -f warden.yaml [--dry-run | --yes] [--prune] [--json]

  warden.yaml has \`targets:\` and \`policies:\` lists in the API's own shapes (the bodies
  of POST /v1/targets and POST /v1/policies), each with an id. The file is validated
  before any call; then the diff against the server is shown:
    + create   ~ update (field by field)   = unchanged   - delete (only with --prune)
  and applied after a y on the terminal, or with --yes. Without a terminal and without
  --yes nothing is applied (exit 2).

  --dry-run   show the diff only; exit 6 when there are differences, 0 when none
  --prune     also delete what the server has and the file does not (listed explicitly);
              a pruned target's backups are kept (records and vendor copies)
  --json      print the plan as JSON instead of text
  --concurrency N
              changes sent at once (default ${DEFAULT_CONCURRENCY}); targets first, then
              policies, then deletions, each stage finished before the next starts
  Example: examples/warden.yaml`,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, FLAGS);
    if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`);
    if (values.yes && values["dry-run"]) throw usageError("--yes and --dry-run exclude each other");
    const desired = loadWardenFile(io, required(values.file, "-f/--file"));
    const session = openSession(io, values);
    const [targets, policies] = await Promise.all([
      listAll(session, "/targets"),
      listAll(session, "/policies"),
    ]);
    const plan = planChanges(desired, { targets, policies }, values.prune === true);
    const pending = plan.changes.filter((c) => c.action !== "unchanged");
    if (session.json) session.printJson(plan);
    else session.out(renderPlan(plan));
    if (pending.length === 0) {
      if (!session.json) session.out("No changes.");
      return EXIT.ok;
    }
    if (values["dry-run"]) return EXIT.changes;
    if (!values.yes) {
      if (!io.confirm)
        throw usageError("not applying: there is no terminal to confirm on", [
          "pass --yes to apply, or --dry-run to only show the plan",
        ]);
      if (!(await io.confirm(`Apply ${pending.length} change(s)?`))) {
        session.note("Nothing applied.");
        return EXIT.ok;
      }
    }
    const concurrency = positiveInteger(values.concurrency, "--concurrency", DEFAULT_CONCURRENCY);
    await execute(session, plan, concurrency);
    return EXIT.ok;
  },
};

/**
 * Creates and updates (targets first: policies name them), then deletions (policies
 * first): each stage with up to `concurrency` changes in flight, finished before the next
 * begins. A failure stops new sends; what was in flight finishes and is reported.
 * Progress: a line per change for small plans, a line per tenth for large ones.
 */
async function execute(session: Session, plan: ApplyPlan, concurrency: number): Promise<void> {
  const order = (c: Change) =>
    c.action === "delete" ? (c.kind === "policy" ? 2 : 3) : c.kind === "target" ? 0 : 1;
  const steps = plan.changes.filter((c) => c.action !== "unchanged");
  const stages = [0, 1, 2, 3].map((stage) => steps.filter((c) => order(c) === stage));
  const total = steps.length;
  const everyChange = total <= 50;
  const step = Math.max(1, Math.ceil(total / 10));
  let done = 0;
  let failed: unknown;
  for (const stage of stages) {
    await pMap(
      stage,
      async (change) => {
        if (failed !== undefined) return;
        try {
          await send(session, change);
        } catch (error) {
          failed ??= error;
          return;
        }
        done++;
        if (everyChange)
          session.note(
            `${change.action === "create" ? "created" : change.action === "update" ? "updated" : "deleted"} ${change.kind} ${change.id}`,
          );
        else if (done % step === 0 || done === total) session.note(`applied ${done}/${total}`);
      },
      { concurrency },
    );
    if (failed !== undefined) {
      session.note(`stopped after ${done} of ${total} change(s):`);
      throw failed;
    }
  }
  session.out(`Applied ${total} change(s).`);
}

function send(session: Session, step: Change) {
  const path = `${PATHS[step.kind]}/${encodeURIComponent(step.id)}`;
  switch (step.action) {
    case "create":
      return session.client.call("POST", PATHS[step.kind], { body: step.body });
    case "update":
      return session.client.call("PUT", path, {
        body: step.body,
        ...(step.version === undefined ? {} : { headers: { "if-match": `"${step.version}"` } }),
      });
    default:
      // Pruning never takes backups with it: a target's are left as they are.
      return session.client.call(
        "DELETE",
        path,
        step.kind === "target" ? { query: { backups: "keep" } } : {},
      );
  }
}
