import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, ZILLIZ_RATE_LIMIT_PER_SECOND } from "../../sandbox/index.ts";

/*
 * The sandbox holds callers to each vendor's documented rate limit where one is documented
 * (Zilliz: 20 requests per second per user and endpoint) and marks every refusal in the
 * request log, so a benchmark can count what a fleet's dispatch got refused.
 */

describe("the sandbox's vendor rate limits", () => {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("refuses Zilliz requests past 20 a second on one endpoint, and counts each refusal", async () => {
    const zilliz = sandbox.vendors.zilliz!;
    const { url, apiKey } = zilliz.describe as { url: string; apiKey: string };
    const burst = 2 * ZILLIZ_RATE_LIMIT_PER_SECOND + 5;

    // Sent at once: they land in at most two of the limiter's one-second windows.
    const statuses = await Promise.all(
      Array.from({ length: burst }, () =>
        fetch(`${url}/v2/backups?clusterId=in01-7b3f9c2e5a1d804`, {
          headers: { authorization: `Bearer ${apiKey}` },
        }).then(async (r) => {
          await r.body?.cancel();
          return r.status;
        }),
      ),
    );

    const refused = zilliz.simulator.requests.filter((r) => r.refusedForRate);
    const served = statuses.filter((s) => s === 200).length;
    expect(served).toBeGreaterThanOrEqual(ZILLIZ_RATE_LIMIT_PER_SECOND);
    expect(served).toBeLessThanOrEqual(2 * ZILLIZ_RATE_LIMIT_PER_SECOND);
    expect(refused.length).toBe(statuses.filter((s) => s === 429).length);
    expect(refused.length).toBeGreaterThanOrEqual(5);
  });
});
