import { CreatePolicyInput, describeTargets, Policy } from "../../lib/core/policy.ts";
import { expectPositionals } from "../args.ts";
import { type EntityCli, entityCommand } from "../entities.ts";
import { EXIT } from "../errors.ts";
import { formatInstant, table } from "../output.ts";

/** How the policies commands read and show a policy. */
const ENTITY: EntityCli<Policy> = {
  name: "policy",
  path: "/policies",
  schema: Policy,
  create: CreatePolicyInput,
  table: (items) => policyTable(items),
  emptyNote: "no policies yet: warden apply -f warden.yaml",
};

/** `warden policies ls|get|add|rm`. */
export const policiesCommand = entityCommand(ENTITY, {
  name: "policies",
  summary: "list, show, create and delete backup policies",
  rmUsage: "rm <policy-id>   its backups stay",
  notes: `  To change a policy, put it in a file and use \`warden apply -f\`.
  What a policy's retention keeps and removes: warden retention plan --policy <id>`,
  flags: {},
  async rm({ session, positionals }) {
    const [id] = expectPositionals(positionals, ["policy-id"]);
    await session.client.call("DELETE", `/policies/${encodeURIComponent(id!)}`);
    if (session.json) session.printJson({ policyId: id, deleted: true });
    else session.out(`deleted policy ${id} (its backups stay)`);
    return EXIT.ok;
  },
});

function policyTable(policies: Policy[]): string {
  return table(
    ["ID", "SCHEDULE", "TARGETS", "RETENTION", "NEXT RUN"],
    policies.map((p) => [
      p.id,
      `${p.schedule.expression} ${p.schedule.timeZone}`,
      describeTargets(p.targets),
      retentionSummary(p.retention),
      p.enabled ? formatInstant(p.nextRunAt) : "paused",
    ]),
  );
}

/** `{last: 3, daily: 7, timeZone: "UTC"}` → "last 3, daily 7". */
export function retentionSummary(retention: Policy["retention"]): string {
  return (
    Object.entries(retention)
      .filter(([key, value]) => key !== "timeZone" && value !== undefined)
      .map(
        ([key, value]) => `${key} ${Array.isArray(value) ? JSON.stringify(value) : String(value)}`,
      )
      .join(", ") || "no keep rule"
  );
}
