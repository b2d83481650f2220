import { startLocal } from "../functions/local.ts";
import { SettingsError } from "../functions/settings.ts";
import { EXIT } from "./errors.ts";

/**
 * `warden dev` (= `npm start`): the whole system on this machine until Ctrl-C.
 * Prints the console's sign-in link, where the API is, the token and a ready-to-paste curl line.
 */
export async function dev(): Promise<number> {
  // Whatever this process writes (the table's LevelDB files too) is for its user alone.
  process.umask(0o077);
  let runtime: Awaited<ReturnType<typeof startLocal>>;
  try {
    runtime = await startLocal();
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    // A configuration error is one line naming the variable and its rule, not a stack.
    process.stderr.write(`warden: ${error.message}\n`);
    return EXIT.usage;
  }
  const api = `${runtime.url}/v1`;
  const lines = [
    "",
    "backup-warden is running locally",
    `  Console   ${runtime.consoleLink()}   (a one-time sign-in link; or sign in at ${runtime.url}/ with the token)`,
    `  API       ${api}`,
    `  Token     ${runtime.token}   (also in ${runtime.tokenFile})`,
    `  Try       curl -s -H "Authorization: Bearer $(cat ${runtime.tokenFile})" ${api}/targets`,
  ];
  for (const [vendor, sim] of Object.entries(runtime.sandbox)) {
    lines.push(
      `  Sandbox   ${vendor} simulator at ${String(sim.url)} (demo target demo-${vendor})`,
    );
  }
  if (runtime.fleet) {
    lines.push(
      `  Fleet     ${runtime.fleet.targets} more targets served; register them with: npx warden apply -f ${runtime.fleet.file} --yes`,
    );
  }
  if (runtime.slackSink) {
    lines.push(`  Slack     messages recorded at ${runtime.slackSink}/sandbox/slack/messages`);
  }
  if (runtime.resumed.length > 0)
    lines.push(
      `  Resumed   ${runtime.resumed.length} backup(s) left in flight: ${runtime.resumed.join(", ")}`,
    );
  lines.push("  Ctrl-C stops; data is kept in the data folder for the next start.", "");
  console.log(lines.join("\n"));
  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) process.exit(130);
      stopping = true;
      console.log(`\n${signal}: stopping (in-flight backups resume on the next start)…`);
      runtime.stop().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.once("SIGINT", () => shutdown("SIGINT"));
    process.once("SIGTERM", () => shutdown("SIGTERM"));
  });
}
