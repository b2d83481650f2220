import { closeSync, constants, fstatSync, openSync, readSync, statSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import {
  type Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
} from "yaml";
import type * as z from "zod";
import { usageError } from "./errors.ts";
import type { CliIo } from "./io.ts";

/** A YAML (or JSON: YAML is a superset) file, parsed, that can point at its own lines. */
export interface LoadedDocument {
  /** The path as the user wrote it, for messages. */
  file: string;
  value: unknown;
  /** `file:line:col` of a path in the document, or of its nearest existing parent. */
  locate(path: ReadonlyArray<PropertyKey>): string;
}

/** Largest file read: far past any warden file or backup list, short of a slow parse. */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;
/** Deepest nesting of mappings and lists accepted (a warden file needs five or so). */
export const MAX_DOCUMENT_DEPTH = 64;
/** Aliases a document may expand (a "billion laughs" file expands exponentially many). */
const MAX_ALIASES = 100;
/** Keys that would reach an object's prototype once the document is a JS object. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Reads and parses a file. Whatever is wrong with it — missing, not a file, too large, a
 * syntax error, a duplicate key, a custom tag (`!!js/function`), a key like `__proto__`,
 * nesting past {@link MAX_DOCUMENT_DEPTH}, an alias bomb — is one usage error (exit 2):
 * one line with the file and, where known, `line:col`; never a stack, never a hang.
 */
export function loadDocument(io: CliIo, file: string): LoadedDocument {
  const text = readBounded(io, file);
  const lines = new LineCounter();
  const at = (offset: number | undefined) => {
    if (offset === undefined) return printable(file);
    const { line, col } = lines.linePos(offset);
    return `${printable(file)}:${line}:${col}`;
  };
  const refuse = (offset: number | undefined, why: string) => usageError(`${at(offset)}: ${why}`);
  // Deep flow nesting (`[[[[…`) is refused before the parser spends seconds on it.
  const deep = deepFlowNesting(text, MAX_DOCUMENT_DEPTH * 4);
  if (deep !== undefined) {
    const line = text.slice(0, deep).split("\n");
    const where = `${printable(file)}:${line.length}:${(line.at(-1)?.length ?? 0) + 1}`;
    throw usageError(`${where}: nested more than ${MAX_DOCUMENT_DEPTH} levels deep`);
  }
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, {
      lineCounter: lines,
      prettyErrors: false,
      // Checked below, in linear time: the parser's own check is quadratic in a map's keys.
      uniqueKeys: false,
      version: "1.2",
      schema: "core",
      merge: false,
      resolveKnownTags: false, // no !!binary, !!set, !!timestamp… (plain data only)
      logLevel: "error",
    });
  } catch (error) {
    throw refuse(undefined, `cannot be parsed (${oneLine(error)})`);
  }
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem !== undefined) {
    const more = doc.errors.length + doc.warnings.length - 1;
    const also = more > 0 ? ` (and ${more} more problem${more === 1 ? "" : "s"})` : "";
    throw refuse(problem.pos[0], `${yamlProblem(problem.code, problem.message)}${also}`);
  }
  const bad = structureProblem(doc.contents);
  if (bad !== undefined) throw refuse(bad.offset, bad.why);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    const bomb = error instanceof ReferenceError && /alias/i.test(error.message);
    throw refuse(undefined, bomb ? `expands more than ${MAX_ALIASES} aliases` : oneLine(error));
  }
  return {
    file,
    value,
    locate(path) {
      for (let depth = path.length; depth >= 0; depth--) {
        const node = doc.getIn(path.slice(0, depth) as unknown[], true);
        const offset = (node as { range?: [number, number, number] } | undefined)?.range?.[0];
        if (offset !== undefined) return at(offset);
      }
      return printable(file);
    },
  };
}

/** The file's text, refused when it is not a regular file or exceeds the size limit. */
function readBounded(io: CliIo, file: string): string {
  const path = isAbsolute(file) ? file : join(io.cwd, file);
  const name = printable(file);
  const tooLarge = () =>
    usageError(`${name} is larger than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MiB`);
  let fd: number;
  try {
    // stat first: opening a FIFO would wait for a writer. O_NONBLOCK covers a swap meanwhile.
    if (!statSync(path).isFile()) throw usageError(`${name} is not a regular file`);
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    if (error instanceof Error && error.name === "CliError") throw error;
    const code = error instanceof Error && "code" in error ? ` (${String(error.code)})` : "";
    throw usageError(`cannot read ${name}${code}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw usageError(`${name} is not a regular file`);
    if (stat.size > MAX_DOCUMENT_BYTES) throw tooLarge();
    const buffer = Buffer.alloc(MAX_DOCUMENT_BYTES + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length > MAX_DOCUMENT_BYTES) throw tooLarge(); // it grew since the stat
    }
    return buffer.toString("utf8", 0, length);
  } finally {
    closeSync(fd);
  }
}

/**
 * The offset of the first `[` or `{` that opens more than `limit` flow collections at
 * once, or `undefined`. Quoted scalars and comments are skipped as YAML reads them (a quote
 * or `#` counts only where a token may start), so a bracket in a string never counts.
 */
function deepFlowNesting(text: string, limit: number): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const tokenStart = i === 0 || /[\s[\]{},:]/.test(text[i - 1] ?? "");
    if (c === "#" && (i === 0 || /\s/.test(text[i - 1] ?? ""))) {
      while (i < text.length && text[i] !== "\n") i++;
    } else if ((c === '"' || c === "'") && tokenStart) {
      for (i++; i < text.length && text[i] !== c; i++) if (c === '"' && text[i] === "\\") i++;
    } else if (c === "[" || c === "{") {
      depth++;
      if (depth > limit) return i;
    } else if ((c === "]" || c === "}") && depth > 0) depth--;
  }
  return undefined;
}

/** What the parser said, in words for someone who writes warden files. */
function yamlProblem(code: string, message: string): string {
  if (code === "TAG_RESOLVE_FAILED") {
    return `unsupported tag: ${oneLine(message).replace(/^Unresolved tag: /, "")} (plain YAML only)`;
  }
  if (code === "MULTIPLE_DOCS") return "holds more than one YAML document (one is expected)";
  return `not valid YAML: ${oneLine(message)}`;
}

/**
 * The first node that breaks a rule the parser does not check (or checks too slowly):
 * nesting depth, non-scalar, duplicate and prototype-reaching keys. Iterative, linear.
 */
function structureProblem(root: unknown): { offset: number | undefined; why: string } | undefined {
  const offsetOf = (node: unknown) => (node as Node | undefined)?.range?.[0];
  const stack: Array<{ node: unknown; depth: number }> = [{ node: root, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (!isMap(node) && !isSeq(node)) continue; // scalars, aliases (bounded by toJS)
    if (depth >= MAX_DOCUMENT_DEPTH) {
      return { offset: offsetOf(node), why: `nested more than ${MAX_DOCUMENT_DEPTH} levels deep` };
    }
    if (isSeq(node)) {
      for (const item of node.items) stack.push({ node: item, depth: depth + 1 });
      continue;
    }
    const keys = new Set<string>();
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const { key } = pair;
      if (!isScalar(key)) {
        return { offset: offsetOf(key) ?? offsetOf(node), why: "a key must be a plain value" };
      }
      const name = String(key.value);
      const quoted = printable(JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name));
      if (FORBIDDEN_KEYS.has(name))
        return { offset: offsetOf(key), why: `key ${quoted} is not allowed` };
      if (keys.has(name)) return { offset: offsetOf(key), why: `duplicate key ${quoted}` };
      keys.add(name);
      stack.push({ node: pair.value, depth: depth + 1 });
    }
  }
  return undefined;
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return printable(text.replace(/\s+/g, " ").trim());
}

/**
 * `text` with control characters escaped (`\u001b`), so nothing a file holds — a key, a
 * file name — can move the cursor or recolour the terminal it is printed on.
 */
export function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) =>
    c === "\t" ? " " : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** `targets[0].resource.clusterId` */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`))
    .join("");
}

/**
 * Validates a value found at `at` in a document with a zod schema. Returns the parsed
 * value, or one message per issue, each with `file:line:col` and the field's path.
 */
export function check<T>(
  doc: LoadedDocument,
  schema: z.ZodType<T>,
  value: unknown,
  at: PropertyKey[],
): { ok: true; data: T } | { ok: false; problems: string[] } {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, data: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => {
      const path = [...at, ...issue.path];
      const field = printable(formatPath(path) || "(document)");
      return `${doc.locate(path)}  ${field}: ${printable(oneLine(issue.message))}`;
    }),
  };
}

/** Parses one whole document with a schema, or fails with every problem listed (exit 2). */
export function loadChecked<T>(io: CliIo, file: string, schema: z.ZodType<T>): T {
  const doc = loadDocument(io, file);
  const result = check(doc, schema, doc.value, []);
  if (!result.ok) throw usageError(`${printable(file)} is not valid`, result.problems);
  return result.data;
}
