import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LocalSettings } from "../../functions/local.ts";
import { readSettings } from "../../functions/settings.ts";
import { useLocalStack } from "../support/use-local-stack.ts";
import { envOf, warden } from "./cli-harness.ts";

/*
 * A fleet in the sandbox (issue "5 of 7", item 5): WARDEN_SANDBOX_FLEET=N serves N more
 * resources per simulator and writes their targets as a warden.yaml; `warden apply -f`
 * registers them with bounded concurrency and progress, and each can be backed up.
 */

const PER_VENDOR = 25;

describe("a sandbox fleet, registered with warden apply", () => {
  const env: Record<string, string> = {};
  const stack = useLocalStack({ WARDEN_SANDBOX_FLEET: String(PER_VENDOR) }, async (started) => {
    Object.assign(env, envOf(started.runtime));
  });

  it("registers every fleet target, at most --concurrency at a time, with progress", async () => {
    const fleet = stack.runtime.fleet!;
    expect(fleet.targets).toBe(4 * PER_VENDOR);
    expect(existsSync(fleet.file)).toBe(true);
    let inFlight = 0;
    let most = 0;
    const counting: typeof fetch = async (input, init) => {
      const writes = init?.method === "POST";
      if (writes) most = Math.max(most, ++inFlight);
      try {
        return await fetch(input, init);
      } finally {
        if (writes) inFlight--;
      }
    };

    const run = await warden(["apply", "-f", fleet.file, "--yes", "--concurrency", "6"], {
      env,
      fetch: counting,
    });

    expect(run.code).toBe(0);
    expect(run.stdout.trimEnd().split("\n").at(-1)).toBe(`Applied ${fleet.targets} change(s).`);
    expect(most).toBe(6);
    const progress = run.stderr.split("\n").filter((l) => l.startsWith("applied "));
    expect(progress).toHaveLength(10);
    expect(progress.at(-1)).toBe(`applied ${fleet.targets}/${fleet.targets}`);
    const again = await warden(["apply", "-f", fleet.file, "--yes"], { env });
    expect(again.stdout).toContain("No changes.");
  });

  it("backs up a fleet target of every vendor", async () => {
    for (const id of [
      "fleet-zilliz-00025",
      "fleet-pinecone-00003",
      "fleet-huawei-taurusdb-00007",
      "fleet-huawei-dcs-00011",
    ]) {
      const run = await warden(["backup", "create", id, "--wait", "--interval", "0.1"], { env });
      expect(run.code, `${id}: ${run.stderr}`).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^AVAILABLE {2}bk_\\w+ {2}target ${id} `));
    }
  });

  it("refuses a fleet larger than the sandbox serves, in one line", () => {
    expect(() => readSettings({ WARDEN_SANDBOX_FLEET: "10001" }, LocalSettings)).toThrow(
      "WARDEN_SANDBOX_FLEET must be at most 10000",
    );
  });
});
