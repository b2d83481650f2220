import { ProviderError } from "../../lib/core/provider-error.ts";
import type { ProviderName } from "../../lib/core/target.ts";
import { VENDORS } from "../../lib/core/vendors.ts";
import type { BackupProvider, BackupRef } from "../../lib/providers/port.ts";
import { createProviderFactory } from "../../lib/providers/registry.ts";
import { StaticSecretSource } from "../../lib/providers/secrets.ts";
import type { HttpFault } from "../../sandbox/fault-queue.ts";
import { manualClock } from "../support/clocks.ts";
import { rejectionOf } from "../support/rejections.ts";
import { storedTarget } from "../support/targets.ts";

/** A fixed start for every simulator clock, so vendor timestamps are predictable. */
export const T0 = Date.parse("2026-03-02T09:00:00Z");

/** How a row's adapter may be bent for one scenario. */
export interface AdapterExtra {
  /** Build it with credentials the vendor refuses. */
  badCredentials?: boolean;
  /** Per-request timeout (ms). */
  timeoutMs?: number;
}

/**
 * "Busy, try later" as the vendor knows it. `on` says which call the vendor refuses;
 * `provoke` makes it busy (given an AVAILABLE backup) and returns the simulated time
 * until it is free again.
 */
export interface ConflictHook {
  on: "create" | "delete";
  provoke(provider: BackupProvider, available: BackupRef): Promise<number>;
}

/** Everything a vendor row hands to the shared scenarios; the rest is the same for all. */
export interface VendorEnv {
  /** The target's resource id: Zilliz cluster, Pinecone index, Huawei instance. */
  resourceId: string;
  /** An adapter for the row's target, built through the registry as production does. */
  provider(extra?: AdapterExtra): Promise<BackupProvider>;
  /** The simulator's transport faults (`status`, `delay`). */
  faults: { add(fault: HttpFault): void };
  /** The simulator's clock (epoch ms), moved only by `advance`. */
  now(): number;
  advance(ms: number): void;
  /** Simulated time a backup takes to finish, and a deletion to complete. */
  backupMs: number;
  deleteMs: number;
  /** Vendor hook: the next backup fails; returns text the failure reason must contain. */
  failNextBackup(): string;
  /** Vendor hook: how this vendor says "busy". */
  conflict: ConflictHook;
  /**
   * Vendor hook: surrounds one in-flight backup (made by `start`) with `count` finished
   * ones, as far from the first list page as the vendor's rules allow.
   */
  inFlightAmong(count: number, start: () => Promise<BackupRef>): Promise<BackupRef>;
  /** Restores, where the row's adapter has them (`provider.restores`). */
  restore?: RestoreHooks;
  close(): Promise<void>;
}

/** How a vendor restores, for the shared restore scenarios. */
export interface RestoreHooks {
  /** A good destination for a restore of the row's AVAILABLE backup. */
  destination(): Record<string, unknown>;
  /** Whether that destination is an existing resource the restore writes over. */
  overwrites: boolean;
  /** Simulated time a restore job takes. */
  restoreMs: number;
  /** Vendor hook: the next restore job fails; returns text the failure reason must contain. */
  failNextRestore(): string;
  /** A destination the vendor refuses (a name taken, an instance missing), and how it is classed. */
  unusable(): { destination: Record<string, unknown>; cls: string };
  /** How the vendor classes a restore from a backup still being made. */
  notCompleteCls: string;
  /** The resource ids the simulator holds now (clusters, indexes, instances). */
  resources(): string[];
  /**
   * False when the vendor cannot give a restore's job back once its answer is lost (Zilliz
   * lists clusters, not jobs): `find` then returns the ref with `jobId: ""`, which `status`
   * must still follow. Default true: `find` returns the very ref `start` did.
   */
  findsJob?: boolean;
}

/** One row of the conformance table. */
export interface VendorRow {
  name: string;
  start(): Promise<VendorEnv>;
}

/** Wrong credentials, recognisable so a test can check they never leak into messages. */
export const WRONG_KEY = "wrong-key-never-in-messages";

/**
 * Builds an adapter the way the system does: the registry checks the (loopback) host,
 * reads the secret from a {@link StaticSecretSource} and lets the vendor module build it.
 */
export async function registryAdapter(
  spec: { provider: ProviderName; resource: Record<string, unknown>; secret: unknown },
  extra: AdapterExtra = {},
): Promise<BackupProvider> {
  // Every secret names its vendor (lib/providers/secrets.ts); the rows give only the keys.
  const secret = { vendor: VENDORS[spec.provider].secretVendor, ...(spec.secret as object) };
  const secrets = new StaticSecretSource({ "conformance/secret": secret });
  const target = storedTarget(
    {
      id: "conformance",
      provider: spec.provider,
      secretRef: "conformance/secret",
      resource: spec.resource,
    },
    new Date(T0).toISOString(),
  );
  return createProviderFactory({ secrets, allowLoopback: true, timeoutMs: extra.timeoutMs })(
    target,
  );
}

/** The classified error a call failed with (the test fails if it succeeded). */
export const failure = (promise: Promise<unknown>) => rejectionOf(promise, ProviderError);

/** A manual clock for a simulator (epoch milliseconds), starting at T0. */
export function simulatorClock(start = T0) {
  const clock = manualClock(start);
  return { now: clock.ms, advance: clock.advance };
}
