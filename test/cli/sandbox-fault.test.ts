import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startZillizSimulator, type ZillizSimulator } from "../../sandbox/zilliz.ts";
import { warden } from "./cli-harness.ts";

/* `warden sandbox fault` sends the local runtime's token, as the admin routes require. */

const TOKEN = "cli-sandbox-token-0123456789";

describe("warden sandbox fault", () => {
  let sim: ZillizSimulator;
  beforeAll(async () => {
    sim = await startZillizSimulator({ adminToken: TOKEN });
  });
  afterAll(() => sim.close());

  it("queues the fault with WARDEN_TOKEN, on the cluster's paths only", async () => {
    const cluster = sim.clusters[0]!;
    const run = await warden(
      ["sandbox", "fault", "--reason", "disk full", "--cluster", cluster, "--url", sim.url],
      { env: { WARDEN_TOKEN: TOKEN } },
    );
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(sim.faults.list()).toMatchObject([
      { fault: { kind: "fail-next-job", match: { path: `/v2/clusters/${cluster}/**` } } },
    ]);
    sim.faults.clear();
  });

  it("exits 2 on a wrong token or none, and queues nothing", async () => {
    const wrong = await warden(
      ["sandbox", "fault", "--reason", "x", "--url", sim.url, "--token", "not-the-right-token"],
      { env: { WARDEN_TOKEN: TOKEN } },
    );
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^warden: the simulator refused the token \(HTTP 401\)\n/);
    expect(wrong.stderr).not.toContain("not-the-right-token");

    const none = await warden(["sandbox", "fault", "--reason", "x", "--url", sim.url]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^warden: no token for the simulator\n/);
    expect(sim.faults.size).toBe(0);
  });
});
