import type { Command } from "./commands/command.ts";
import { DEFAULT_API } from "./connection.ts";
import { EXIT } from "./errors.ts";

/** The text of `warden help`: commands, connection flags and exit codes. */
export function usage(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length), "sandbox".length);
  const row = (name: string, summary: string) => `  ${name.padEnd(width)}  ${summary}`;
  return [
    "usage: warden <command> [arguments] [flags]",
    "",
    "commands:",
    row("dev", "run the whole system locally (same as npm start)"),
    row("sandbox", "run the vendor simulators alone and print how to reach them"),
    row("", "sandbox fault --reason R: make the Zilliz simulator fail its next job"),
    ...commands.map((c) => row(c.name, c.summary)),
    row("help", "this text; warden help <command> (or <command> --help) for one command"),
    "",
    "connection (every command that talks to the API):",
    `  --api URL      the API, default $WARDEN_API or ${DEFAULT_API}`,
    "                 a loopback URL uses a bearer token; any other (an execute-api URL)",
    "                 is signed with SigV4 using the standard AWS credential chain",
    "  --token T      the local token, default $WARDEN_TOKEN or the file .warden/token",
    "                 (in $WARDEN_DATA_DIR when set) that npm start writes",
    "  --region R     AWS region when the URL does not tell (default $AWS_REGION)",
    "  --json         machine-readable output on every read command",
    "",
    "exit codes:",
    `  ${EXIT.ok}    success`,
    `  ${EXIT.unexpected}    unexpected error (a bug, or an answer the CLI did not expect)`,
    `  ${EXIT.usage}    usage or local configuration error: bad flags or arguments, unreadable or`,
    "       invalid file, no token or AWS credentials, apply without --yes and no terminal",
    `  ${EXIT.refused}    the API refused the request (4xx): its detail and field errors are printed`,
    `  ${EXIT.unavailable}    the API is unreachable, timed out, or failed (5xx)`,
    `  ${EXIT.backupFailed}    --wait ended with the backup FAILED or DELETE_FAILED (the vendor's reason is printed)`,
    `  ${EXIT.changes}    apply --dry-run found differences (0 when there are none)`,
    `  ${EXIT.interrupted}  Ctrl-C while waiting (the backup carries on)`,
  ].join("\n");
}
