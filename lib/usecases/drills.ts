import type { BackupRecord } from "../core/backup.ts";
import type { Clock } from "../core/clock.ts";
import { durationMs } from "../core/duration.ts";
import { newId } from "../core/ids.ts";
import type { Policy } from "../core/policy.ts";
import type { RestoreDestination, RestoreOverwrite } from "../core/restore.ts";
import type { Target } from "../core/target.ts";
import type { BackupRepository } from "../store/backups.ts";
import type { LeaseRepository } from "../store/leases.ts";
import type { PolicyRepository } from "../store/policies.ts";
import type { RestoreRepository } from "../store/restores.ts";
import type { TargetRepository } from "../store/targets.ts";
import type { WorkflowStarter } from "../workflows/starter.ts";
import { targetsOf } from "./policy-targets.ts";
import { launchRestore } from "./restores.ts";

/** The prefix of every scratch resource a drill creates: ours, by name, whatever else fails. */
export const DRILL_PREFIX = "bwd";

/**
 * Where a drill of `target`'s backups restores to: a new resource only, named with our
 * prefix and the drill's id (Zilliz appends the id's tag to the name itself), so the
 * teardown can only ever find what the drill made. Vendors whose restore can only write
 * over an existing resource cannot be drilled safely, and say why.
 */
export function scratchDestination(
  target: Pick<Target, "provider" | "resource">,
  drillId: string,
  scratch: NonNullable<Policy["verify"]>["scratch"] = undefined,
):
  | { destination: RestoreDestination; units: number; overwrites?: RestoreOverwrite }
  | { unsupported: string } {
  const tag = drillId
    .replace(/[^a-z0-9]/gi, "")
    .slice(-10)
    .toLowerCase();
  switch (target.provider) {
    case "pinecone":
      return { destination: { indexName: `${DRILL_PREFIX}-${tag}` }, units: 1 };
    case "zilliz":
      if ((target.resource as { scope?: { type?: string } }).scope?.type !== "COLLECTION")
        return { destination: { clusterName: DRILL_PREFIX, cuSize: 1 }, units: 1 };
      // Collections restore only into an existing cluster: the policy's designated one.
      if (!scratch?.zillizClusterId)
        return {
          unsupported:
            "a Zilliz collection backup restores only into an existing cluster: name a scratch cluster in the policy's verify.scratch.zillizClusterId",
        };
      if (scratch.zillizClusterId === (target.resource as { clusterId?: string }).clusterId)
        return { unsupported: "the designated scratch cluster is the target's own cluster" };
      return {
        destination: { clusterId: scratch.zillizClusterId },
        units: 1,
        overwrites: {
          resourceId: scratch.zillizClusterId,
          summary: `the designated scratch cluster ${scratch.zillizClusterId} (its collections of the backup's names are replaced)`,
        },
      };
    case "huawei-taurusdb":
      return { destination: { instanceName: `${DRILL_PREFIX}-${tag}` }, units: 1 };
    case "huawei-dcs":
      return {
        unsupported:
          "DCS restores a backup only into the instance it was made of: a drill would overwrite that instance",
      };
  }
}

export interface DrillSchedulerDeps {
  policies: PolicyRepository;
  targets: TargetRepository;
  backups: BackupRepository;
  restores: RestoreRepository;
  leases: LeaseRepository;
  workflows: WorkflowStarter;
  clock: Clock;
}

/** What one pass of the drill scheduler did. */
export interface DrillPass {
  started: number;
  /** Targets a policy asks to drill that cannot be, and why (once per pass). */
  skipped: Array<{ policyId: string; targetId: string; reason: string }>;
}

/**
 * Starts the restore drills that are due (from the sweeper, on its schedule): for every
 * enabled policy with `verify`, every covered target whose last drill is older than
 * `every` has its newest AVAILABLE backup restored into a scratch resource, checked and
 * torn down by the restore-backup workflow (lib/usecases/restores.ts `RestoreTasks`).
 * One drill per target at a time: a backup already being restored waits.
 */
export class DrillScheduler {
  readonly #d: DrillSchedulerDeps;

  constructor(deps: DrillSchedulerDeps) {
    this.#d = deps;
  }

  async run(): Promise<DrillPass> {
    const pass: DrillPass = { started: 0, skipped: [] };
    let cursor: string | undefined;
    do {
      const page = await this.#d.policies.list({ limit: 100, cursor });
      for (const policy of page.items)
        if (policy.enabled && policy.verify) await this.#policy(policy, policy.verify, pass);
      cursor = page.nextCursor;
    } while (cursor);
    return pass;
  }

  async #policy(policy: Policy, verify: NonNullable<Policy["verify"]>, pass: DrillPass) {
    const now = this.#d.clock.now();
    for (const target of await targetsOf(policy, this.#d.targets)) {
      const backups = (await this.#d.backups.listAllOfTarget(target.id)).filter(
        (b) => b.status === "AVAILABLE" && (b.origin ?? "managed") === "managed",
      );
      const newest = backups[0];
      if (!newest || backups.some((b) => b.restoringBy)) continue;
      const last = lastDrill(backups);
      if (last !== undefined && now.getTime() - last < durationMs(verify.every)) continue;
      const drillId = newId("restore", now.getTime());
      const scratch = scratchDestination(target, drillId, verify.scratch);
      if ("unsupported" in scratch) {
        pass.skipped.push({
          policyId: policy.id,
          targetId: target.id,
          reason: scratch.unsupported,
        });
        continue;
      }
      await launchRestore(this.#d, {
        restoreId: drillId,
        backup: newest,
        target,
        destination: scratch.destination,
        ...(scratch.overwrites ? { overwrites: scratch.overwrites } : {}),
        caller: `restore drill of policy ${policy.id}`,
        drill: {
          policyId: policy.id,
          maxResourceHours: verify.maxResourceHours,
          units: scratch.units,
          teardown: "PENDING",
        },
        deadlineMinutes: verify.maxMinutes,
      });
      pass.started++;
    }
  }
}

/** When the target's last drill ran (pass or fail), from its backups' records. */
function lastDrill(backups: BackupRecord[]): number | undefined {
  const times = backups.flatMap((b) => (b.verification ? [Date.parse(b.verification.at)] : []));
  return times.length ? Math.max(...times) : undefined;
}
