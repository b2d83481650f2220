import { afterAll, describe, expect, it } from "vitest";
import { resourceKey } from "../../lib/core/target.ts";
import { startZillizSimulator } from "../../sandbox/zilliz.ts";
import { useHarness } from "../support/use-harness.ts";

/*
 * A lease is keyed by the vendor account and host as well as the resource. Before, a
 * target on another account — or on a hostile endpoint whose jobs never finish — naming
 * the real cluster's id held `zilliz:<clusterId>` for its whole completion window, and
 * the real cluster got 409 for days.
 */

describe("lease keys", () => {
  const CLUSTER = "in01-7b3f9c2e5a1d804";
  let hostile: Awaited<ReturnType<typeof startZillizSimulator>> | undefined;
  afterAll(async () => {
    await hostile?.close();
  });
  const h = useHarness({}, async (h) => {
    await h.zillizTarget("orders");
    // Same cluster id, another account's key, another host; its jobs never finish.
    hostile = await startZillizSimulator({ jobDurationMs: 7 * 86_400_000, clusters: [CLUSTER] });
    h.secrets.set("elsewhere/zilliz", { vendor: "zilliz", apiKey: hostile.apiKey });
    await h.zillizTarget("lookalike", {
      secretRef: "elsewhere/zilliz",
      resource: { clusterId: CLUSTER, baseUrl: hostile.url },
      completionWindowMinutes: 48 * 60,
    });
  });

  /** The backup's status once it stops moving (a bounded wait: the lookalike never settles). */
  async function statusOnceSettled(id: string): Promise<string> {
    for (let i = 0; i < 200; i++) {
      const { status } = await h.container.backups.get(id);
      if (status !== "PENDING" && status !== "CREATING") return status;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${id} did not settle within 10 s`);
  }

  it("lets a lookalike on another account and host hold only its own lease", async () => {
    const stuck = await h.call("POST", "/v1/targets/lookalike/backups");
    expect(stuck.status).toBe(202);

    const real = await h.call("POST", "/v1/targets/orders/backups");

    expect(real.status).toBe(202);
    expect(await statusOnceSettled(real.json.id)).toBe("AVAILABLE");
    expect((await h.call("POST", "/v1/targets/lookalike/backups")).status).toBe(409);
  });

  it("shares one key between targets of one cluster in one account, and no other", async () => {
    const zilliz = (secretRef: string, baseUrl?: string) => ({
      provider: "zilliz" as const,
      secretRef,
      resource: {
        clusterId: CLUSTER,
        scope: { type: "CLUSTER" as const },
        ...(baseUrl ? { baseUrl } : {}),
      },
    });
    const dcs = (projectId: string) => ({
      provider: "huawei-dcs" as const,
      secretRef: "any",
      resource: {
        region: "ap-southeast-1",
        projectId,
        instanceId: "i-1",
        apiVersion: "v2" as const,
      },
    });

    expect(resourceKey(zilliz("a"))).toBe(resourceKey(zilliz("a")));
    expect(resourceKey(zilliz("a"))).not.toBe(resourceKey(zilliz("b")));
    expect(resourceKey(zilliz("a"))).not.toBe(resourceKey(zilliz("a", "https://evil.example")));
    expect(resourceKey(dcs("0".repeat(32)))).not.toBe(resourceKey(dcs("1".repeat(32))));
    expect(resourceKey(zilliz("a", "https://API.cloud.zilliz.com"))).toBe(
      resourceKey(zilliz("a", "https://api.cloud.zilliz.com/")),
    );
  });
});
