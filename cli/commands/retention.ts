import * as z from "zod";
import { instant, parseFlags } from "../args.ts";
import { CliError, EXIT, usageError } from "../errors.ts";
import { formatInstant } from "../output.ts";
import { planOffline, renderPlan } from "../retention.ts";
import { openSession } from "../session.ts";
import type { Command } from "./command.ts";

const FLAGS = {
  policy: { type: "string" },
  backups: { type: "string" },
  "policy-json": { type: "string" },
  now: { type: "string" },
  guards: { type: "boolean" },
} as const;

const ServerPlan = z.object({
  policyId: z.string(),
  at: z.string(),
  targets: z.array(
    z.object({
      targetId: z.string(),
      keep: z.array(z.object({ id: z.string(), reasons: z.array(z.string()) })),
      remove: z.array(z.object({ id: z.string() })),
      guarded: z
        .array(z.object({ id: z.string(), guard: z.string(), detail: z.string() }))
        .default([]),
      suspended: z.string().optional(),
    }),
  ),
});

/** `warden retention plan`: what a policy keeps (and why) and removes. */
export const retentionCommand: Command = {
  name: "retention",
  summary: "preview what a retention policy keeps (with reasons) and removes",
  usage: `usage:
  warden retention plan --policy <policy-id> [--json]
      the server's preview for every target of the policy, safety guards applied
  warden retention plan --backups FILE --policy-json JSON [--now ISO] [--guards] [--json]
      offline, for scripts and audits: the planner alone on FILE, a JSON array of
      {id, createdAt, tags} (e.g. the output of \`warden backups ls --json\`);
      JSON is a retention policy such as '{"last":3,"daily":7}' (or @file).
      --guards also applies the guards (hold, explicit expiry, newest AVAILABLE),
      reading status/hold/expiresAt from FILE.
      --json prints {"keep":[{"id","reasons"}],"remove":[{"id"}]} (+ "guarded" with --guards)`,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub !== "plan")
      throw usageError(
        sub ? `unknown subcommand "retention ${sub}"` : "retention needs a subcommand",
        ["see warden retention --help"],
      );
    const { values, positionals } = parseFlags(rest, FLAGS);
    if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`);
    const session = openSession(io, values);
    const offline = values.backups !== undefined || values["policy-json"] !== undefined;
    if (offline === (values.policy !== undefined))
      throw usageError("give either --policy ID, or --backups FILE with --policy-json JSON");
    if (offline) {
      if (!values.backups || !values["policy-json"])
        throw usageError("the offline plan needs both --backups FILE and --policy-json JSON");
      const now = instant(values.now, "--now");
      const plan = planOffline(
        io,
        {
          backupsFile: values.backups,
          policyJson: values["policy-json"],
          now: now ? new Date(now) : new Date(),
          guards: values.guards === true,
        },
        session.note,
      );
      if (session.json) session.printJson(plan);
      else
        session.out(`keep ${plan.keep.length}, remove ${plan.remove.length}\n${renderPlan(plan)}`);
      return EXIT.ok;
    }
    if (values.now || values.guards)
      throw usageError(
        "--now and --guards belong to the offline form (the server plans at its own now, guarded)",
      );
    const { body } = await session.client.call(
      "GET",
      `/policies/${encodeURIComponent(values.policy!)}/retention-plan`,
    );
    if (session.json) {
      session.printJson(body);
      return EXIT.ok;
    }
    const parsed = ServerPlan.safeParse(body);
    if (!parsed.success)
      throw new CliError(EXIT.unexpected, "unexpected answer: not a retention plan");
    const plan = parsed.data;
    session.out(`Retention plan of policy ${plan.policyId} at ${formatInstant(plan.at)}`);
    session.out("(removals happen at the next sweep, or after the next successful backup)");
    if (plan.targets.length === 0) session.out("\nthe policy covers no target");
    for (const target of plan.targets) {
      session.out(
        `\n${target.targetId}: keep ${target.keep.length}, remove ${target.remove.length}`,
      );
      session.out(renderPlan(target));
    }
    return EXIT.ok;
  },
};
