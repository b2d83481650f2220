import { readFileSync, renameSync } from "node:fs";
import { dirname } from "node:path";
import * as z from "zod";
import { privateFolder, writePrivateFile } from "../local/private-files.ts";

/**
 * A simulator's state kept in one JSON file, so a restarted simulator (for example after
 * `npm start` is stopped and started again) still knows its backups and jobs.
 *
 * Writes are synchronous and atomic (temporary file + rename): the state is on disk before
 * the HTTP response that caused the mutation is sent, and a crash never leaves half a file.
 *
 * @example
 * ```ts
 * const file = new JsonStateFile("/tmp/zilliz.json", stateSchema);
 * const state = file.load() ?? emptyState();
 * file.save(state);
 * ```
 */
export class JsonStateFile<T> {
  readonly path: string;
  readonly #schema: z.ZodType<T>;

  /**
   * @param path - file to read and write; parent folders are created on first save
   * @param schema - validates what is read back, so a stale or hand-edited file fails loudly
   */
  constructor(path: string, schema: z.ZodType<T>) {
    this.path = path;
    this.#schema = schema;
  }

  /**
   * Reads and validates the file.
   *
   * @returns the stored state, or `undefined` when the file does not exist yet
   * @throws Error when the file exists but is not valid JSON of the expected shape
   */
  load(): T | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    const parsed = this.#schema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      throw new Error(`invalid simulator state file ${this.path}: ${parsed.error.message}`);
    }
    return parsed.data;
  }

  /** Replaces the file's content with `state`: a 0600 file in a 0700 folder. */
  save(state: T): void {
    privateFolder(dirname(this.path));
    const temporary = `${this.path}.${process.pid}.tmp`;
    writePrivateFile(temporary, `${JSON.stringify(state, null, 2)}\n`);
    renameSync(temporary, this.path); // the file takes the temporary's mode
  }
}

/**
 * Opens a simulator's state: loaded from `path` when it exists (a restart), else
 * `fresh()`; the credentials the caller passes override what was stored; saved at once.
 *
 * @returns the state and a `save` to call after each mutation (a no-op without a file)
 */
export function openState<T extends object>(
  path: string | undefined,
  schema: z.ZodType<T>,
  fresh: () => T,
  overrides: Partial<T> = {},
): { state: T; save(): void } {
  const file = path === undefined ? undefined : new JsonStateFile(path, schema);
  const state = file?.load() ?? fresh();
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) (state as Record<string, unknown>)[key] = value;
  }
  file?.save(state);
  return { state, save: () => file?.save(state) };
}

/**
 * The stored fields of a record whose status follows the clock (a backup job, a restore):
 * it started at `createdAt` and finishes `durationMs` later. Statuses are derived from
 * them on every read, so a simulator restarted from its state file continues where it
 * stopped.
 */
export const timedRecordShape = {
  createdAt: z.number(),
  /** Stored per record, so restarting with another duration keeps running ones stable. */
  durationMs: z.number().nonnegative(),
};

/**
 * The stored field of a record that a DELETE removes lazily: when the DELETE was accepted
 * (`null` while the record lives). What it shows afterwards, and for how long, follows the
 * clock and the vendor's `deleteDurationMs`.
 */
export const deletableRecordShape = { deletedAt: z.number().nullable() };
