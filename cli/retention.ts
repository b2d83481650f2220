import { readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import * as z from "zod";
import { applyGuards, type GuardedPlan } from "../lib/retention/guards.ts";
import {
  isEmptyRetentionPolicy,
  planRetention,
  RetentionBackupSchema,
  type RetentionPlan,
  type RetentionPolicy,
  RetentionPolicySchema,
} from "../lib/retention/index.ts";
import { check, loadDocument } from "./documents.ts";
import { usageError } from "./errors.ts";
import type { CliIo } from "./io.ts";
import { table } from "./output.ts";

/**
 * One backup in an offline plan's input. Only `id` and `createdAt` are needed; `tags`
 * default to none, and the guards' fields (`status`, `hold`, `expiresAt`) are read when
 * present — so the output of `warden backups ls --json` can be fed in as it is.
 */
const OfflineBackup = RetentionBackupSchema.extend({
  tags: z.array(z.string()).default([]),
  status: z.string().default("AVAILABLE"),
  hold: z.object({ reason: z.string(), by: z.string() }).optional(),
  expiresAt: z.string().optional(),
});

/** What the offline form was given. */
export interface OfflineInput {
  backupsFile: string;
  /** JSON text, or `@file` to read it from a file. */
  policyJson: string;
  now: Date;
  guards: boolean;
}

/**
 * The offline retention plan for scripts and audits: the planner alone on a file of
 * backups (restic-exact), plus the safety guards only when asked for.
 */
export function planOffline(
  io: CliIo,
  input: OfflineInput,
  warn: (line: string) => void,
): RetentionPlan | GuardedPlan {
  const policy = parsePolicy(io, input.policyJson);
  if (isEmptyRetentionPolicy(policy))
    warn("warning: the policy has no keep rule, so the planner removes every backup");
  const doc = loadDocument(io, input.backupsFile);
  const checked = check(doc, z.array(OfflineBackup), doc.value, []);
  if (!checked.ok)
    throw usageError(`${input.backupsFile} is not a JSON array of backups`, checked.problems);
  const plan = planRetention(checked.data, policy, { now: input.now });
  return input.guards ? applyGuards(plan, checked.data, input.now) : plan;
}

function parsePolicy(io: CliIo, text: string): RetentionPolicy {
  let raw = text;
  if (text.startsWith("@")) {
    const file = text.slice(1);
    try {
      raw = readFileSync(isAbsolute(file) ? file : join(io.cwd, file), "utf8");
    } catch {
      throw usageError(`--policy-json: cannot read ${file}`);
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw usageError(`--policy-json is not JSON (e.g. '{"daily":7,"weekly":4}', or @file)`);
  }
  const parsed = RetentionPolicySchema.safeParse(value);
  if (!parsed.success) {
    throw usageError(
      "--policy-json is not a valid retention policy",
      parsed.error.issues.map((i) => `${i.path.join(".") || "(policy)"}: ${i.message}`),
    );
  }
  return parsed.data;
}

/** A plan as text: each kept backup with its reasons, then what goes. */
export function renderPlan(plan: RetentionPlan | GuardedPlan): string {
  const guarded = new Set("guarded" in plan ? plan.guarded.map((g) => g.id) : []);
  const rows = [
    ...plan.keep.map((k) => [
      "keep",
      k.id,
      `${guarded.has(k.id) ? "guard: " : ""}${k.reasons.join("; ")}`,
    ]),
    ...plan.remove.map((r) => ["remove", r.id, ""]),
  ];
  const note = "suspended" in plan && plan.suspended ? `  suspended: ${plan.suspended}\n` : "";
  if (rows.length === 0) return `${note}  (no backups)`;
  return `${note}${table(["", "BACKUP", "WHY"], rows)
    .split("\n")
    .map((line) => `  ${line}`.trimEnd())
    .join("\n")}`;
}
