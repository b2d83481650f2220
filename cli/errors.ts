/**
 * Exit codes of `warden`, documented in `warden help`. Scripts branch on these, so a
 * change is a breaking change.
 */
export const EXIT = {
  ok: 0,
  /** A bug, or an answer the CLI did not expect. */
  unexpected: 1,
  /** Bad flags or arguments, an unreadable or invalid file, no token or AWS credentials. */
  usage: 2,
  /** The API refused the request (4xx): validation, not found, conflict, busy resource. */
  refused: 3,
  /** The API could not be reached, timed out, or failed (5xx). */
  unavailable: 4,
  /** `--wait` ended with the backup FAILED or DELETE_FAILED. */
  backupFailed: 5,
  /** `apply --dry-run` found differences (like `terraform plan -detailed-exitcode`). */
  changes: 6,
  /** `status --check` found a target out of its freshness objective. */
  breached: 7,
  /** Ctrl-C during a wait; the backup itself carries on. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error that ends the command with a message (no stack) and a chosen exit code. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  /** Extra lines printed under the message (field errors, hints). */
  readonly lines: string[];
  /** The server's problem document, printed as JSON under `--json`. */
  readonly problem: unknown;
  /** The HTTP status, when the API answered. */
  readonly httpStatus: number | undefined;

  constructor(
    exitCode: ExitCode,
    message: string,
    options: { lines?: string[]; problem?: unknown; httpStatus?: number } = {},
  ) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
    this.lines = options.lines ?? [];
    this.problem = options.problem;
    this.httpStatus = options.httpStatus;
  }
}

/** A usage or local configuration error (exit 2). */
export function usageError(message: string, lines: string[] = []): CliError {
  return new CliError(EXIT.usage, message, { lines });
}
