import type { CliIo } from "../io.ts";

/** One top-level `warden` command. */
export interface Command {
  name: string;
  /** One line for `warden help`. */
  summary: string;
  /** The full text of `warden <name> --help`. */
  usage: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(args: string[], io: CliIo): Promise<number>;
}
