import { expireDueMarkers } from "../../local/ttl.ts";
import { type Harness, startHarness } from "./harness.ts";
import { suiteFixture } from "./suite-fixture.ts";

/**
 * The harness for one suite: started before its first test (then `setup`, e.g. the
 * suite's targets), closed after its last — which also fails the suite on any refused
 * AWS call.
 */
export function useHarness(
  options: Parameters<typeof startHarness>[0] = {},
  setup?: (h: Harness) => Promise<void>,
): Harness {
  return suiteFixture(() => startHarness(options), setup);
}

/** Where a second target goes: the simulator's other cluster (one job at a time per cluster). */
export function onSecondCluster(h: Harness) {
  return { resource: { clusterId: h.sim.clusters[1], baseUrl: h.sim.url } };
}

/**
 * A backup of `targetId` whose own expiry (`expiresAt`) has passed, with a newer one beside
 * it so the newest-available guard does not keep it. Its marker is due; nothing removed it yet.
 */
export async function backupPastItsExpiry(h: Harness, targetId: string): Promise<string> {
  const soon = new Date(h.clock.now().getTime() + 60_000).toISOString();
  const expiring = await h.call("POST", `/v1/targets/${targetId}/backups`, {
    body: { expiresAt: soon },
  });
  await h.starter.idle();
  await h.call("POST", `/v1/targets/${targetId}/backups`);
  await h.starter.idle();
  h.clock.advance(2 * 60_000);
  return expiring.json.id;
}

/**
 * Runs a policy's next scheduled backup to its end: the clock moves to its next run, the
 * dispatcher ticks, the workflows settle. Returns the backup id of that policy's run.
 */
export async function scheduledBackup(h: Harness, policyId: string): Promise<string> {
  const p = (await h.call("GET", `/v1/policies/${policyId}`)).json;
  h.clock.advance(Date.parse(p.nextRunAt) - h.clock.now().getTime() + 1_000);
  const outcomes = await h.container.schedule();
  await h.starter.idle();
  const mine = outcomes.find((o) => o.run.policyId === policyId);
  if (!mine) throw new Error(`the tick ran nothing of policy ${policyId}`);
  return mine.run.backupId;
}

/** Fires every due expiry marker through the expiry-stream function, as TTL would. */
export async function fireExpiryMarkers(h: Harness): Promise<void> {
  await expireDueMarkers(
    h.container.expiry,
    (event) => h.invoke("expiry-stream", event),
    h.clock.now(),
    h.table.table,
  );
  await h.starter.idle();
}
