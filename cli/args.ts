import { type ParseArgsOptionsConfig, parseArgs } from "node:util";
import { usageError } from "./errors.ts";

/** Flags every API command accepts (documented once, in `warden help`). */
export const COMMON_FLAGS = {
  api: { type: "string" },
  token: { type: "string" },
  region: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsOptionsConfig;

/**
 * Parses a command's arguments with `node:util`'s `parseArgs` (strict: an unknown flag
 * is a usage error, exit 2), accepting the common flags anywhere on the line.
 */
export function parseFlags<T extends ParseArgsOptionsConfig>(args: string[], options: T) {
  try {
    return parseArgs({
      args,
      options: { ...COMMON_FLAGS, ...options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw usageError(error instanceof Error ? error.message : String(error));
  }
}

/** Exactly the named positionals, or a usage error naming what is missing or extra. */
export function expectPositionals(given: string[], names: string[]): string[] {
  if (given.length < names.length)
    throw usageError(
      `missing ${names
        .slice(given.length)
        .map((n) => `<${n}>`)
        .join(" ")}`,
    );
  if (given.length > names.length) throw usageError(`unexpected argument "${given[names.length]}"`);
  return given;
}

/** A required flag's value, or a usage error naming it. */
export function required<T>(value: T | undefined, flag: string): T {
  if (value === undefined || value === "") throw usageError(`${flag} is required`);
  return value;
}

/** A positive number of seconds from a flag, in milliseconds. */
export function seconds(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw usageError(`${flag} must be a positive number of seconds`);
  return n * 1000;
}

/** A whole number from 1 to 64 from a flag (a concurrency). */
export function positiveInteger(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw usageError(`${flag} must be a whole number from 1 to 64`);
  return n;
}

/** An ISO-8601 instant with `Z` or an offset, normalised to UTC. */
export function instant(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  const ms = /[zZ]|[+-]\d\d:?\d\d$/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw usageError(`${flag} must be an ISO-8601 time with Z or an offset`);
  return new Date(ms).toISOString();
}
