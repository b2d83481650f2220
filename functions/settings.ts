import type * as z from "zod";

/**
 * A setting that breaks its rule, said in one line that names the variable and the rule
 * (never its value: it may be a token), e.g. `WARDEN_PORT must be a whole number from 0
 * to 65535`. `warden dev` prints it as is and exits 2.
 */
export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SettingsError";
  }
}

/**
 * Parses `env` with each schema (objects of variables), or throws one {@link SettingsError}
 * for every broken rule of them all, joined on one line.
 *
 * @example readSettings(process.env, LocalSettings) // → typed settings, or SettingsError
 */
export function readSettings<S extends z.ZodObject>(env: NodeJS.ProcessEnv, schema: S): z.output<S>;
export function readSettings<S extends z.ZodObject, T extends z.ZodObject>(
  env: NodeJS.ProcessEnv,
  schema: S,
  also: T,
): z.output<S> & z.output<T>;
export function readSettings(env: NodeJS.ProcessEnv, ...schemas: z.ZodObject[]): unknown {
  const problems: string[] = [];
  const merged: Record<string, unknown> = {};
  for (const schema of schemas) {
    const parsed = schema.safeParse(env);
    if (parsed.success) Object.assign(merged, parsed.data);
    else problems.push(...parsed.error.issues.map((issue) => describe(issue, schema)));
  }
  if (problems.length > 0) throw new SettingsError([...new Set(problems)].join("; "));
  return merged;
}

/** One issue as `NAME must …`: the schema's own message when it names the variable. */
function describe(issue: z.core.$ZodIssue, schema: z.ZodObject): string {
  const name = String(issue.path[0] ?? "the environment");
  const message = oneLine(issue.message);
  if (message.startsWith(`${name} `)) return message;
  return `${name} ${ruleOf(issue, schema.shape[name] as z.ZodType | undefined) ?? message}`;
}

/** The rule an issue broke, from the variable's schema where it says more than the issue. */
function ruleOf(issue: z.core.$ZodIssue, schema: z.ZodType | undefined): string | undefined {
  const number = numberIn(schema);
  if (number !== undefined) {
    const { minValue: min, maxValue: max } = number;
    const kind = number.isInt ? "a whole number" : "a number";
    const finite = (n: number | null) => n !== null && Number.isFinite(n);
    if (finite(min) && finite(max)) return `must be ${kind} from ${min} to ${max}`;
    if (finite(min)) return `must be ${kind} of at least ${min}`;
    if (finite(max)) return `must be ${kind} of at most ${max}`;
    return `must be ${kind}`;
  }
  switch (issue.code) {
    case "too_small":
      return issue.origin === "string" ? `must be at least ${issue.minimum} characters` : undefined;
    case "too_big":
      return issue.origin === "string" ? `must be at most ${issue.maximum} characters` : undefined;
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_format":
      return `must be a valid ${issue.format}`;
    default:
      return undefined;
  }
}

/** The number schema under optional/default wrappers, if the variable is a number. */
function numberIn(schema: z.ZodType | undefined): z.ZodNumber | undefined {
  let current: unknown = schema;
  for (let depth = 0; depth < 5 && current !== undefined; depth++) {
    const def = (current as { def?: { type?: string; innerType?: unknown } }).def;
    if (def?.type === "number") return current as z.ZodNumber;
    current = def?.innerType;
  }
  return undefined;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
