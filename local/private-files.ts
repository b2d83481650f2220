import { chmodSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/*
 * What the local runtime keeps on disk (the token, the table, the simulators' state) is
 * for its user alone: folders 0700, files 0600. A mode given at creation does not change
 * what already exists, so a file we write is tightened too; an existing folder is only
 * tightened when it is the runtime's own ({@link tightenTree}), never one a caller named
 * (a WARDEN_DATA_DIR of `/tmp` must stay as it is).
 */

/** Creates `path` and its missing parents as 0700 folders (an existing one is left as is). */
export function privateFolder(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
}

/** Writes `data` to `path` as a 0600 file, tightening an existing file's mode first. */
export function writePrivateFile(path: string, data: string): void {
  writeFileSync(path, data, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/**
 * Makes everything under `path` private: folders 0700, files 0600 (for what a library
 * wrote with the process's umask, e.g. dynalite's LevelDB files from an earlier start).
 * Symbolic links are left alone.
 */
export function tightenTree(path: string): void {
  privateFolder(path);
  chmodSync(path, 0o700);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) tightenTree(child);
    else if (entry.isFile()) chmodSync(child, 0o600);
  }
}
