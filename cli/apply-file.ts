import * as z from "zod";
import { CreatePolicyInput } from "../lib/core/policy.ts";
import { CreateTargetInput } from "../lib/core/target.ts";
import { check, formatPath, type LoadedDocument, loadDocument, printable } from "./documents.ts";
import { usageError } from "./errors.ts";
import type { CliIo } from "./io.ts";

/** A declared target or policy: its id and the body the API takes to create it. */
export interface Declared<T> {
  id: string;
  body: T;
}

/** What a `warden.yaml` declares, validated with the API's own schemas. */
export interface DesiredState {
  targets: Declared<CreateTargetInput & { id: string }>[];
  policies: Declared<CreatePolicyInput & { id: string }>[];
}

const WardenFile = z
  .object({
    targets: z.array(z.unknown()).default([]),
    policies: z.array(z.unknown()).default([]),
  })
  .strict();

/**
 * Reads a `warden.yaml` (`targets:` and `policies:` lists in the shapes of
 * `POST /v1/targets` and `POST /v1/policies`) and validates every entry before any API
 * call. Each entry needs an `id`: it is how apply finds it on the server. All problems
 * are reported at once, each with `file:line:col` and the field (exit 2).
 */
export function loadWardenFile(io: CliIo, file: string): DesiredState {
  const doc = loadDocument(io, file);
  const value = doc.value ?? {};
  if (typeof value !== "object" || Array.isArray(value)) {
    const what = Array.isArray(value) ? "a list" : `a ${typeof value}`;
    throw usageError(
      `${doc.locate([])}: a warden file is a mapping with targets: and policies: lists, not ${what}`,
    );
  }
  const top = check(doc, WardenFile, value, []);
  if (!top.ok) {
    const [only] = top.problems;
    if (top.problems.length === 1) throw usageError(`not a warden file: ${only}`);
    throw usageError(`${printable(file)} is not a warden file`, top.problems);
  }
  const problems: string[] = [];
  const targets = entries(doc, "targets", top.data.targets, CreateTargetInput, problems);
  const policies = entries(doc, "policies", top.data.policies, CreatePolicyInput, problems);
  if (problems.length > 0) throw usageError(`${printable(file)} is not valid`, problems);
  return { targets, policies };
}

function entries<T extends { id?: string | undefined }>(
  doc: LoadedDocument,
  list: "targets" | "policies",
  values: unknown[],
  schema: z.ZodType<T>,
  problems: string[],
): Declared<T & { id: string }>[] {
  const seen = new Set<string>();
  const declared: Declared<T & { id: string }>[] = [];
  values.forEach((value, index) => {
    const at = [list, index];
    const result = check(doc, schema, value, at);
    if (!result.ok) {
      problems.push(...result.problems);
      return;
    }
    const { id } = result.data;
    const where = `${doc.locate(at)}  ${formatPath([...at, "id"])}`;
    if (id === undefined)
      problems.push(`${where}: required by apply (it is how the entry is matched)`);
    else if (seen.has(id)) problems.push(`${where}: "${id}" is declared twice`);
    else {
      seen.add(id);
      declared.push({ id, body: { ...result.data, id } });
    }
  });
  return declared;
}
