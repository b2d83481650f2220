import type { DcsInstance } from "./huawei/dcs-model.ts";

/**
 * A fleet for the sandbox: `count` more resources per vendor, with ids that look like each
 * vendor's and never change between starts (so a registered fleet still matches after a
 * restart). `npm start` with `WARDEN_SANDBOX_FLEET=N` serves them; the runtime writes a
 * warden.yaml of their targets for `warden apply -f`.
 */
export interface FleetIds {
  zillizClusters: string[];
  pineconeIndexes: string[];
  taurusDbInstances: string[];
  dcsInstances: DcsInstance[];
}

/** The most one sandbox serves per vendor. */
export const MAX_FLEET = 10_000;

export function fleetIds(count: number): FleetIds {
  if (!Number.isInteger(count) || count < 0 || count > MAX_FLEET)
    throw new RangeError(`a sandbox fleet is 0 to ${MAX_FLEET} resources per vendor`);
  const n = Array.from({ length: count }, (_, i) => String(i + 1).padStart(5, "0"));
  return {
    zillizClusters: n.map((i) => `in01-fleet${i}`),
    pineconeIndexes: n.map((i) => `fleet-${i}`),
    taurusDbInstances: n.map((i) => `fleet${i}in07`),
    // DCS ids are UUIDs; master/standby, so backups work on every one.
    dcsInstances: n.map((i) => ({
      instanceId: `00000000-0000-4000-8000-0000000${i}`,
      name: `dcs-fleet-${i}`,
      cacheMode: "ha",
      specCode: "redis.ha.xu1.large.r2.2",
      capacity: 2,
    })),
  };
}
