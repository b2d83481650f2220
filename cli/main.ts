import { applyCommand } from "./commands/apply.ts";
import { backupCommand } from "./commands/backup.ts";
import { backupsCommand } from "./commands/backups.ts";
import type { Command } from "./commands/command.ts";
import { consoleCommand } from "./commands/console.ts";
import { healthCommand } from "./commands/health.ts";
import { holdCommand, unholdCommand } from "./commands/hold.ts";
import { policiesCommand } from "./commands/policies.ts";
import { reconcileCommand } from "./commands/reconcile.ts";
import { restoreCommand } from "./commands/restore.ts";
import { retentionCommand } from "./commands/retention.ts";
import { sandboxFaultCommand } from "./commands/sandbox-fault.ts";
import { statusCommand } from "./commands/status.ts";
import { targetsCommand } from "./commands/targets.ts";
import { dev } from "./dev.ts";
import { CliError, EXIT } from "./errors.ts";
import { usage } from "./help.ts";
import { type CliIo, processIo } from "./io.ts";
import { sandbox } from "./sandbox.ts";

const COMMANDS: readonly Command[] = [
  healthCommand,
  statusCommand,
  targetsCommand,
  policiesCommand,
  backupCommand,
  backupsCommand,
  holdCommand,
  unholdCommand,
  retentionCommand,
  reconcileCommand,
  restoreCommand,
  applyCommand,
  consoleCommand,
];

/** Other spellings people type. */
const ALIASES: Record<string, string> = { target: "targets", policy: "policies" };

/**
 * Runs a `warden` command line and resolves to its exit code (see `warden help`). Tests
 * pass their own `io` to run commands in-process and read what they print.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [given, ...rest] = argv;
  const name = given === undefined ? undefined : (ALIASES[given] ?? given);
  const write = (text: string) => io.stdout.write(`${text}\n`);
  const runsSimulators = name === "dev" || (name === "sandbox" && rest[0] !== "fault");
  if (name === undefined) {
    io.stderr.write(`${usage(COMMANDS)}\n`);
    return EXIT.usage;
  }
  if (name === "help" || name === "--help" || name === "-h") {
    const topic = COMMANDS.find((c) => c.name === (rest[0] && (ALIASES[rest[0]] ?? rest[0])));
    write(topic ? topic.usage : usage(COMMANDS));
    return EXIT.ok;
  }
  if (runsSimulators && (rest.includes("--help") || rest.includes("-h"))) {
    write(`usage: warden ${name}   (see warden help; Ctrl-C stops it)`);
    return EXIT.ok;
  }
  if (name === "dev") return dev();
  if (name === "sandbox" && rest[0] !== "fault") return sandbox();
  const [command, args] = pick(name, rest);
  if (!command) {
    io.stderr.write(`warden: unknown command "${given}"\n\n${usage(COMMANDS)}\n`);
    return EXIT.usage;
  }
  const flags = args.slice(0, args.includes("--") ? args.indexOf("--") : undefined);
  if (flags.includes("--help") || flags.includes("-h")) {
    write(command.usage);
    return EXIT.ok;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    return report(error, io, args.includes("--json"));
  }
}

function pick(name: string, rest: string[]): [Command | undefined, string[]] {
  if (name === "sandbox") return [sandboxFaultCommand, rest.slice(1)];
  // `backup ls` reads like `backups ls`.
  if (name === "backup" && rest[0] === "ls") return [backupsCommand, rest.slice(1)];
  return [COMMANDS.find((c) => c.name === name), rest];
}

function report(error: unknown, io: CliIo, json: boolean): number {
  if (!(error instanceof CliError)) {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr.write(`warden: unexpected error: ${detail}\n`);
    return EXIT.unexpected;
  }
  if (json && error.problem !== undefined) io.stderr.write(`${JSON.stringify(error.problem)}\n`);
  else
    io.stderr.write([`warden: ${error.message}\n`, ...error.lines.map((l) => `  ${l}\n`)].join(""));
  return error.exitCode;
}
