import { startSandbox } from "../sandbox/index.ts";

/**
 * `warden sandbox`: the vendor simulators alone, on ephemeral loopback ports. Prints one
 * JSON line describing each (URL, accepted credentials, demo resources) and runs until
 * interrupted.
 */
export async function sandbox(): Promise<number> {
  const running = await startSandbox();
  console.log(
    JSON.stringify(
      Object.fromEntries(Object.entries(running.vendors).map(([k, v]) => [k, v.describe])),
    ),
  );
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  await running.close();
  return 0;
}
