import { dev } from "./dev.ts";
import { sandbox } from "./sandbox.ts";

const USAGE = `usage: warden <command>

commands:
  dev        run the whole system locally (same as npm start)
  sandbox    run the vendor simulators alone and print how to reach them
  help       show this text`;

/** Dispatches a `warden` command line; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "dev":
        return await dev();
      case "sandbox":
        return await sandbox();
      case undefined:
      case "help":
      case "--help":
      case "-h":
        console.log(USAGE);
        return command === undefined ? 2 : 0;
      default:
        console.error(`warden: unknown command "${command}"${rest.length ? "" : ""}\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    console.error(`warden: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
