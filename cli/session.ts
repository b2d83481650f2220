import { ApiClient } from "./client.ts";
import { type ConnectionFlags, resolveConnection } from "./connection.ts";
import type { CliIo } from "./io.ts";

/** What a command works with once its flags are parsed. */
export interface Session {
  io: CliIo;
  /** The API client, connected on first use (health and offline commands never need it). */
  readonly client: ApiClient;
  /** `--json`: print machine-readable output only. */
  json: boolean;
  /** One line of the result, on stdout. */
  out(line?: string): void;
  /** Progress and hints, on stderr (so stdout stays clean for pipes). */
  note(line: string): void;
  /** A value as pretty JSON on stdout. */
  printJson(value: unknown): void;
}

/** Opens a session from the parsed common flags. */
export function openSession(io: CliIo, flags: ConnectionFlags & { json?: boolean }): Session {
  let client: ApiClient | undefined;
  return {
    io,
    get client() {
      client ??= new ApiClient(resolveConnection(flags, io), io.fetch);
      return client;
    },
    json: flags.json === true,
    out: (line = "") => io.stdout.write(`${line}\n`),
    note: (line) => io.stderr.write(`${line}\n`),
    printJson: (value) => io.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
  };
}
