import { startSandbox } from "../sandbox/index.ts";

/**
 * `warden sandbox`: the vendor simulators alone, on ephemeral loopback ports. Prints one
 * JSON line describing each (URL, accepted credentials, demo resources, and the
 * `adminToken` their `/__sandbox/*` routes take: WARDEN_TOKEN when set, else a random one)
 * and runs until interrupted.
 */
export async function sandbox(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const running = await startSandbox({ adminToken: env.WARDEN_TOKEN || undefined });
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
