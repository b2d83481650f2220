import { readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { LineCounter, parseDocument } from "yaml";
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

/** Reads and parses a file; a missing file or a syntax error is a usage error (exit 2). */
export function loadDocument(io: CliIo, file: string): LoadedDocument {
  let text: string;
  try {
    text = readFileSync(isAbsolute(file) ? file : join(io.cwd, file), "utf8");
  } catch (error) {
    const code = error instanceof Error && "code" in error ? ` (${String(error.code)})` : "";
    throw usageError(`cannot read ${file}${code}`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length > 0)
    throw usageError(
      `${file} is not valid YAML`,
      doc.errors.map((e) => e.message.trim()),
    );
  return {
    file,
    value: doc.toJS(),
    locate(path) {
      for (let depth = path.length; depth >= 0; depth--) {
        const node = doc.getIn(path.slice(0, depth) as unknown[], true);
        const offset = (node as { range?: [number, number, number] } | undefined)?.range?.[0];
        if (offset !== undefined) {
          const { line, col } = lines.linePos(offset);
          return `${file}:${line}:${col}`;
        }
      }
      return file;
    },
  };
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
      return `${doc.locate(path)}  ${formatPath(path) || "(document)"}: ${issue.message}`;
    }),
  };
}

/** Parses one whole document with a schema, or fails with every problem listed (exit 2). */
export function loadChecked<T>(io: CliIo, file: string, schema: z.ZodType<T>): T {
  const doc = loadDocument(io, file);
  const result = check(doc, schema, doc.value, []);
  if (!result.ok) throw usageError(`${file} is not valid`, result.problems);
  return result.data;
}
