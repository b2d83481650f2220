import { LocalSettings } from "../functions/local.ts";
import { readSettings, SettingsError } from "../functions/settings.ts";
import { startSandbox } from "../sandbox/index.ts";
import { EXIT } from "./errors.ts";

/**
 * `warden sandbox`: the vendor simulators alone, on ephemeral loopback ports. Prints one
 * JSON line describing each (URL, accepted credentials, demo resources, and the
 * `adminToken` their `/__sandbox/*` routes take: WARDEN_TOKEN when set, else a random one)
 * and runs until interrupted.
 */
export async function sandbox(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let token: string | undefined;
  try {
    token = readSettings(env, LocalSettings.pick({ WARDEN_TOKEN: true })).WARDEN_TOKEN;
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    process.stderr.write(`warden: ${error.message}\n`);
    return EXIT.usage;
  }
  const running = await startSandbox({ adminToken: token || undefined });
  console.log(
    JSON.stringify(
      Object.fromEntries(
        Object.entries(running.vendors).map(([k, v]) => [
          k,
          { ...v.describe, adminToken: running.adminToken },
        ]),
      ),
    ),
  );
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  await running.close();
  return 0;
}
