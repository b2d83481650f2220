import { UpdatePolicyInput } from "../lib/core/policy.ts";
import { UpdateTargetInput } from "../lib/core/target.ts";
import type { DesiredState } from "./apply-file.ts";

/** What apply does to one entry. */
export type Action = "create" | "update" | "unchanged" | "delete";

/** One field that differs: its dotted path, the server's value and the file's. */
export interface FieldChange {
  path: string;
  before: unknown;
  after: unknown;
}

/** One planned step. `body` is what is sent (create: with id; update: without). */
export interface Change {
  kind: "target" | "policy";
  id: string;
  action: Action;
  body?: Record<string, unknown>;
  /** The server's version, sent as If-Match with an update. */
  version?: number;
  fields: FieldChange[];
}

/** The whole diff, and what is on the server but not in the file (left alone without --prune). */
export interface ApplyPlan {
  changes: Change[];
  leftAlone: Array<{ kind: Change["kind"]; id: string }>;
}

/** Fields the server manages; they never count as a difference. */
const BOOKKEEPING = ["id", "createdAt", "updatedAt", "version", "retiredAt", "nextRunAt"];
const SCHEMAS = { target: UpdateTargetInput, policy: UpdatePolicyInput } as const;

/**
 * The diff between a file and the server. Both sides go through the same schema (with
 * its defaults), so an omitted default is not a difference. Entries on the server that
 * the file does not declare are left alone unless `prune`.
 */
export function planChanges(
  desired: DesiredState,
  current: { targets: unknown[]; policies: unknown[] },
  prune: boolean,
): ApplyPlan {
  const plan: ApplyPlan = { changes: [], leftAlone: [] };
  diffKind(plan, "target", desired.targets, current.targets, prune);
  diffKind(plan, "policy", desired.policies, current.policies, prune);
  return plan;
}

function diffKind(
  plan: ApplyPlan,
  kind: Change["kind"],
  declared: DesiredState["targets"] | DesiredState["policies"],
  current: unknown[],
  prune: boolean,
): void {
  const byId = new Map<string, Record<string, unknown>>();
  for (const item of current)
    if (isRecord(item) && typeof item.id === "string") byId.set(item.id, item);
  const changes = declared.map(({ id, body }): Change => {
    const server = byId.get(id);
    const { id: _id, ...wanted } = body as Record<string, unknown>;
    if (!server)
      return {
        kind,
        id,
        action: "create",
        body: { ...body },
        fields: differences(undefined, wanted),
      };
    const fields = differences(comparable(kind, server), wanted);
    const version = typeof server.version === "number" ? server.version : undefined;
    return fields.length === 0
      ? { kind, id, action: "unchanged", fields }
      : {
          kind,
          id,
          action: "update",
          body: wanted,
          ...(version === undefined ? {} : { version }),
          fields,
        };
  });
  plan.changes.push(...changes);
  const declaredIds = new Set(declared.map((d) => d.id));
  for (const id of byId.keys()) {
    if (declaredIds.has(id)) continue;
    if (prune) plan.changes.push({ kind, id, action: "delete", fields: [] });
    else plan.leftAlone.push({ kind, id });
  }
}

/** The server's entry in the file's shape: bookkeeping dropped, schema defaults applied. */
function comparable(
  kind: Change["kind"],
  server: Record<string, unknown>,
): Record<string, unknown> {
  const spec = Object.fromEntries(Object.entries(server).filter(([k]) => !BOOKKEEPING.includes(k)));
  const parsed = SCHEMAS[kind].safeParse(spec);
  return parsed.success ? (parsed.data as Record<string, unknown>) : spec;
}

/**
 * Leaf-by-leaf differences; a side that is absent reads as an empty object, so a new
 * entry lists every field. Arrays compare whole (order matters in them).
 */
export function differences(before: unknown, after: unknown, path = ""): FieldChange[] {
  const nested =
    (isRecord(before) || isRecord(after)) &&
    [before, after].every((v) => v === undefined || isRecord(v));
  if (nested) {
    const b = (before ?? {}) as Record<string, unknown>;
    const a = (after ?? {}) as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
    return keys.flatMap((key) => differences(b[key], a[key], path ? `${path}.${key}` : key));
  }
  return canonical(before) === canonical(after) ? [] : [{ path: path || "(all)", before, after }];
}

function canonical(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) =>
      isRecord(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
    ) ?? "undefined"
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const SIGNS: Record<Action, string> = { create: "+", update: "~", unchanged: "=", delete: "-" };

/** The plan as text: `+` create, `~` update (with each field), `=` unchanged, `-` delete. */
export function renderPlan(plan: ApplyPlan): string {
  const lines: string[] = [];
  for (const kind of ["target", "policy"] as const) {
    const changes = plan.changes.filter((c) => c.kind === kind);
    if (changes.length === 0) continue;
    lines.push(kind === "target" ? "Targets" : "Policies");
    const width = Math.max(...changes.map((c) => c.id.length));
    for (const c of changes) {
      lines.push(`  ${SIGNS[c.action]} ${c.id.padEnd(width)}  ${c.action}`);
      for (const f of c.fields)
        lines.push(
          c.action === "create"
            ? `      ${f.path}: ${show(f.after)}`
            : `      ${f.path}: ${show(f.before)} -> ${show(f.after)}`,
        );
    }
  }
  const count = (action: Action) => plan.changes.filter((c) => c.action === action).length;
  if (plan.leftAlone.length > 0) {
    lines.push("On the server but not in the file (left alone; --prune would delete them):");
    lines.push(`  ${plan.leftAlone.map((x) => `${x.kind} ${x.id}`).join(", ")}`);
  }
  lines.push(
    `Plan: ${count("create")} to create, ${count("update")} to update, ${count("delete")} to delete, ${count("unchanged")} unchanged.`,
  );
  return lines.join("\n");
}

function show(value: unknown): string {
  return value === undefined ? "(none)" : JSON.stringify(value);
}
