import { afterEach, describe, expect, it } from "vitest";
import { startDcsSimulator } from "../../../sandbox/huawei/dcs.ts";
import { startTaurusDbSimulator } from "../../../sandbox/huawei/taurusdb.ts";
import { clientFor, T0 } from "./helpers.ts";

/** Both Huawei services sit behind one simulated gateway; what differs is listed here. */
const SERVICES = [
  {
    name: "TaurusDB",
    start: startTaurusDbSimulator,
    listPath: (projectId: string) => `/v3/${projectId}/backups`,
    serverError: "DBS.108000",
    projectMismatch: "APIGW.0301",
  },
  {
    name: "DCS",
    start: startDcsSimulator,
    listPath: (projectId: string) =>
      `/v2/${projectId}/instances/3d2b5a8e-7c41-4f0e-9b6a-1e2f3a4b5c6d/backups`,
    serverError: "DCS.5000",
    projectMismatch: "DCS.1004",
  },
];

const sims: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  await Promise.all(sims.splice(0).map((sim) => sim.close()));
});

describe.each(SERVICES)("Huawei gateway in front of $name", (service) => {
  async function start() {
    const clock = { value: T0 };
    const sim = await service.start({ now: () => clock.value });
    sims.push(sim);
    return { sim, client: clientFor(sim, clock) };
  }

  it("answers throttling, unknown APIs and server failures in the gateway's envelope", async () => {
    const { sim, client } = await start();
    sim.faults.add({ kind: "status", status: 429 });
    sim.faults.add({ kind: "status", status: 503 });

    const throttled = await client.call("GET", service.listPath(sim.projectId));
    const failed = await client.call("GET", service.listPath(sim.projectId));
    const missing = await client.call("GET", `/v9/${sim.projectId}/nothing`);

    for (const reply of [throttled, failed, missing]) {
      expect(reply.headers.get("x-request-id")).toMatch(/^[0-9a-f]{32}$/);
      expect(reply.json).toEqual({
        error_code: expect.any(String),
        error_msg: expect.any(String),
        request_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      });
    }
    expect(throttled).toMatchObject({ status: 429, json: { error_code: "APIGW.0308" } });
    expect(failed).toMatchObject({ status: 503, json: { error_code: service.serverError } });
    expect(missing).toMatchObject({ status: 404, json: { error_code: "APIGW.0101" } });
  });

  it("refuses a path naming another project, after verifying the signature", async () => {
    const { sim, client } = await start();

    const foreign = await client.call("GET", service.listPath("0".repeat(32)));
    const unsigned = await client.call("GET", service.listPath("0".repeat(32)), { token: null });

    expect(foreign).toMatchObject({ status: 401, json: { error_code: service.projectMismatch } });
    expect(foreign.json.error_msg).not.toContain(sim.sk);
    expect(unsigned).toMatchObject({ status: 401, json: { error_code: "APIGW.0301" } });
  });
});
