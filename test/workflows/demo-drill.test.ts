import { describe, expect, it } from "vitest";
import { useLocalStack } from "../support/use-local-stack.ts";

/*
 * What `npm start` shows: its demo policy asks for a restore drill, so the newest
 * demo-zilliz backup is restored into a scratch cluster, checked, marked verified, and the
 * cluster torn down — checked against the Zilliz simulator's own list of clusters.
 */
describe("npm start's demo policy drills its newest backup", () => {
  const stack = useLocalStack({
    WARDEN_DEMO_POLICY: "1",
    WARDEN_TICK_SECONDS: "0.2",
    WARDEN_SWEEP_SECONDS: "0.5",
  });

  async function clusters(): Promise<string[]> {
    const { url, apiKey } = stack.runtime.sandbox.zilliz as { url: string; apiKey: string };
    const response = await fetch(`${url}/v2/clusters?pageSize=100`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    const body = (await response.json()) as { data: { clusters: { clusterId: string }[] } };
    return body.data.clusters.map((c) => c.clusterId).sort();
  }

  it("records verifiedAt on a demo-zilliz backup and leaves no scratch cluster behind", async () => {
    const before = await clusters();
    let verified: { id: string; verifiedAt?: string } | undefined;
    // The demo policy's first slot is up to a minute away.
    for (let i = 0; i < 1200 && !verified; i++) {
      const page = (await stack.request("GET", "/v1/backups?targetId=demo-zilliz&limit=50")).json;
      verified = page.items.find((b: { verifiedAt?: string }) => b.verifiedAt);
      if (!verified) await new Promise((r) => setTimeout(r, 100));
    }
    expect(verified?.verifiedAt).toBeDefined();
    let teardown: string | undefined;
    for (let i = 0; i < 300 && teardown !== "DONE"; i++) {
      const drills = (await stack.request("GET", `/v1/restores?backupId=${verified!.id}`)).json;
      teardown = drills.items[0]?.drill?.teardown;
      if (teardown !== "DONE") await new Promise((r) => setTimeout(r, 100));
    }
    expect(teardown).toBe("DONE");
    expect(await clusters()).toEqual(before);
  }, 180_000);
});
