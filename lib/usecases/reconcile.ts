import * as z from "zod";
import type { BackupRecord } from "../core/backup.ts";
import type { Clock } from "../core/clock.ts";
import { ConflictError, InvalidTransitionError } from "../core/errors.ts";
import { newId } from "../core/ids.ts";
import { resourceKey, type Target } from "../core/target.ts";
import { eventFromBackup } from "../notify/event-builders.ts";
import type { BackupProvider, VendorBackup } from "../providers/port.ts";
import type { ProviderFactory } from "../providers/registry.ts";
import type { BackupRepository } from "../store/backups.ts";
import type { LeaseRepository } from "../store/leases.ts";
import type { TargetRepository } from "../store/targets.ts";
import { executionName, type WorkflowStarter } from "../workflows/starter.ts";
import type { RetentionService } from "./retention.ts";

/** How long an orphan is kept before it is deleted, unless configured otherwise. */
export const DEFAULT_ORPHAN_GRACE_MS = 24 * 60 * 60 * 1000;
/** A record settled less than this ago is not judged vanished yet: a listing may lag. */
export const SETTLE_MS = 2 * 60 * 1000;
/** Clock skew allowed between us and a vendor when times are compared. */
const SKEW_MS = 60_000;

/** One difference between a target's vendor backups and the catalogue, with what is done. */
export const Difference = z.object({
  kind: z.enum(["orphan", "unmanaged", "vanished", "orphan-due"]),
  /** The vendor's id of the backup. */
  providerBackupId: z.string(),
  /** Our record: the one written for it (when applied), or the one it concerns. */
  backupId: z.string().optional(),
  /** For an orphan: the record whose id the vendor backup carries. */
  ownerBackupId: z.string().optional(),
  providerStatus: z.string().optional(),
  createdAt: z.string().optional(),
  /** What the reconciler does about it (or would, in a dry run). */
  action: z.string(),
  reason: z.string(),
});
export type Difference = z.infer<typeof Difference>;

/** What reconciling one target found, and whether it acted on it. */
export const Reconciliation = z.object({
  targetId: z.string(),
  checkedAt: z.iso.datetime(),
  dryRun: z.boolean(),
  /** Vendor backups listed, and records of the target compared with them. */
  vendorBackups: z.number().int().nonnegative(),
  records: z.number().int().nonnegative(),
  differences: z.array(Difference),
});
export type Reconciliation = z.infer<typeof Reconciliation>;

export interface ReconcilerDeps {
  backups: BackupRepository;
  leases: Pick<LeaseRepository, "find">;
  targets: TargetRepository;
  providers: ProviderFactory;
  retention: Pick<RetentionService, "expire">;
  workflows: WorkflowStarter;
  clock: Clock;
  /** How long an orphan waits before it is deleted; default 24 h. */
  orphanGraceMs?: number;
  warn?: (message: string, error: unknown) => void;
}

/** A record in these statuses without a vendor id may still adopt what its create made. */
const IN_CREATION = new Set(["PENDING", "CREATING"]);

/** Record statuses whose vendor backup should exist (the reconciler checks they do). */
const HELD_AT_VENDOR = new Set(["AVAILABLE", "EXPIRING", "DELETE_FAILED"]);

/**
 * The reconciler: per target, the vendor's backups against the catalogue, so every vendor
 * backup has exactly one record and every record tells the truth about its backup.
 * - A vendor backup carrying our id that no record claims, or a duplicate of a record's
 *   backup: recorded as an orphan, deleted after the grace period (its tombstone says why).
 * - A vendor backup not made by us (the console, the vendor's schedule; on Zilliz, which
 *   keeps no label of ours, any unclaimed one): imported as an unmanaged record — shown,
 *   never deleted unless a policy opts in. A backup without our id is never deleted here.
 * - A record whose vendor backup is gone, as the vendor confirms: marked vanished.
 * A dry run reports the same differences and changes nothing.
 */
export class Reconciler {
  readonly #d: ReconcilerDeps;

  constructor(deps: ReconcilerDeps) {
    this.#d = deps;
  }

  /** Every live target, one after another; one target's failure never stops the rest. */
  async reconcileAll(options: { dryRun?: boolean } = {}): Promise<{
    targets: number;
    differences: number;
    errors: number;
  }> {
    const summary = { targets: 0, differences: 0, errors: 0 };
    let cursor: string | undefined;
    do {
      const page = await this.#d.targets.list({ limit: 100, cursor });
      for (const target of page.items.filter((t) => !t.retiredAt)) {
        try {
          const result = await this.reconcile(target.id, options);
          summary.targets++;
          summary.differences += result.differences.length;
        } catch (error) {
          summary.errors++;
          this.#d.warn?.(`reconciliation of target ${target.id} failed`, error);
        }
      }
      cursor = page.nextCursor;
    } while (cursor);
    return summary;
  }

  /** Compares one target and, unless `dryRun`, acts on every difference. */
  async reconcile(targetId: string, options: { dryRun?: boolean } = {}): Promise<Reconciliation> {
    const dryRun = options.dryRun ?? false;
    const target = await this.#d.targets.get(targetId);
    if (target.retiredAt)
      throw new ConflictError(`target ${targetId} is being deleted; it is not reconciled`);
    const now = this.#d.clock.now();
    const provider = await this.#d.providers(target);
    const listed = await provider.listBackups();
    const records = await this.#d.backups.listAllOfTarget(target.id);
    const differences: Difference[] = [];
    const seen = new Set<string>();
    // Creates that may have reached the vendor but are not recorded yet: what they made is
    // adoption's to claim, not ours to judge.
    const staleClaims = new Map<string, string>();
    // A create under way on the resource (by any target: several may share a cluster) may
    // still adopt an unlabelled backup it made; those wait for the next pass.
    const lease = provider.labelsBackups
      ? undefined
      : await this.#d.leases.find(resourceKey(target));
    const creating = lease !== undefined && lease.expiresAtMs > now.getTime();
    const unclaimedCreates = records.filter(
      (r) => !r.providerBackupId && (r.status === "PENDING" || r.status === "CREATING"),
    );
    for (const vendorBackup of listed) {
      seen.add(key(vendorBackup.ref.resourceId, vendorBackup.ref.backupId));
      const found = await this.#unrecorded(target, provider, vendorBackup, {
        unclaimedCreates,
        now,
        dryRun,
        staleClaims,
        creating,
      });
      if (!found) continue;
      const stale = staleClaims.get(vendorBackup.ref.backupId);
      differences.push(
        dryRun ? found : await this.#record(target, vendorBackup, found, now, stale),
      );
    }
    for (const record of records) {
      const difference = await this.#checkRecord(provider, record, seen, now);
      if (!difference) continue;
      differences.push(dryRun ? difference : await this.#settle(record, difference, now));
    }
    return {
      targetId: target.id,
      checkedAt: now.toISOString(),
      dryRun,
      vendorBackups: listed.length,
      records: records.length,
      differences,
    };
  }

  /** The difference a listed vendor backup makes, if no record rightly claims it. */
  async #unrecorded(
    target: Target,
    provider: BackupProvider,
    listed: VendorBackup,
    pass: {
      unclaimedCreates: BackupRecord[];
      now: Date;
      dryRun: boolean;
      /** Claims naming a record that does not exist, by vendor backup id. */
      staleClaims: Map<string, string>;
      /** A create holds the resource's lease. */
      creating: boolean;
    },
  ): Promise<Difference | undefined> {
    const { unclaimedCreates, now } = pass;
    const { ref, state } = listed;
    // Still being made or unmade: adoption or the delete workflow is on it.
    if (state.status !== "AVAILABLE" && state.status !== "FAILED") return undefined;
    const created = listed.createdAt ? Date.parse(listed.createdAt) : Number.NaN;
    const adoptable = unclaimedCreates.some(
      (r) =>
        (listed.ownerId === undefined || listed.ownerId === r.id) &&
        (Number.isNaN(created) || created >= Date.parse(r.startedAt ?? r.createdAt) - SKEW_MS),
    );
    if (adoptable || (pass.creating && listed.ownerId === undefined)) return undefined;
    const claimedBy = await this.#d.backups.vendorClaimOf(
      target.provider,
      ref.resourceId,
      ref.backupId,
    );
    if (claimedBy) {
      if (await this.#d.backups.find(claimedBy)) return undefined;
      pass.staleClaims.set(ref.backupId, claimedBy);
    }
    const base = {
      providerBackupId: ref.backupId,
      providerStatus: state.providerStatus,
      ...(listed.createdAt ? { createdAt: listed.createdAt } : {}),
    };
    if (listed.ownerId) {
      const owner = await this.#d.backups.find(listed.ownerId);
      // Its create is still looking for what it made (a consistent read, not the index):
      // adoption's to claim.
      if (owner && !owner.providerBackupId && IN_CREATION.has(owner.status)) return undefined;
      if (owner?.providerBackupId === ref.backupId && owner.providerResourceId === ref.resourceId) {
        // The record is right, only its claim is missing: write it (not in a dry run).
        if (!pass.dryRun)
          await this.#d.backups.claimVendorBackup(
            target.provider,
            ref.resourceId,
            ref.backupId,
            owner.id,
          );
        return undefined;
      }
      const reason = owner
        ? `a duplicate of ${owner.id}, whose vendor backup is ${owner.providerBackupId ?? "not recorded"}`
        : `carries our id ${listed.ownerId}, which no record has (its create was never recorded)`;
      return {
        kind: "orphan",
        ...base,
        ownerBackupId: listed.ownerId,
        action: `record as an orphan; delete it after ${new Date(now.getTime() + this.#grace()).toISOString()}`,
        reason,
      };
    }
    const reason = listed.automatic
      ? "made by the vendor's own schedule"
      : provider.labelsBackups
        ? "not made by backup-warden (no id of ours in its name or description)"
        : `not claimed by any record; ${target.provider} keeps no id of ours, so it is taken as somebody else's`;
    return {
      kind: "unmanaged",
      ...base,
      action: "import as an unmanaged backup (never deleted by us)",
      reason,
    };
  }

  /** The difference a record makes: its vendor backup gone, or an orphan's grace over. */
  async #checkRecord(
    provider: BackupProvider,
    record: BackupRecord,
    seen: Set<string>,
    now: Date,
  ): Promise<Difference | undefined> {
    if (!record.providerBackupId || !record.providerResourceId) return undefined;
    const base = {
      providerBackupId: record.providerBackupId,
      backupId: record.id,
      ...(record.providerStatus ? { providerStatus: record.providerStatus } : {}),
    };
    if (
      record.origin === "orphan" &&
      record.orphan &&
      !record.hold &&
      (record.status === "AVAILABLE" || record.status === "FAILED") &&
      Date.parse(record.orphan.deleteAfter) <= now.getTime()
    ) {
      return {
        kind: "orphan-due",
        ...base,
        ...(record.orphan.ownerBackupId ? { ownerBackupId: record.orphan.ownerBackupId } : {}),
        action: "delete it: its grace period is over",
        reason: record.orphan.reason,
      };
    }
    if (!HELD_AT_VENDOR.has(record.status)) return undefined;
    if (seen.has(key(record.providerResourceId, record.providerBackupId))) return undefined;
    if (now.getTime() - Date.parse(record.updatedAt) < SETTLE_MS) return undefined;
    // Not listed: a listing is not the authority (pages, lag), the vendor's own answer is.
    const state = await provider.getBackupStatus({
      backupId: record.providerBackupId,
      resourceId: record.providerResourceId,
    });
    if (state.status !== "DELETED") return undefined;
    return {
      kind: "vanished",
      ...base,
      providerStatus: state.providerStatus,
      action: "mark it vanished (DELETED, with the time it was found gone)",
      reason: `the vendor no longer has it (${state.providerStatus}), and we did not delete it`,
    };
  }

  /** Writes the record of an unrecorded vendor backup: an orphan or an unmanaged one. */
  async #record(
    target: Target,
    listed: VendorBackup,
    found: Difference,
    now: Date,
    staleClaim: string | undefined,
  ): Promise<Difference> {
    const id = newId("backup", now.getTime());
    const { ref, state } = listed;
    // The claim first: if another reconciler (or a late adoption) claimed it meanwhile,
    // it is theirs and nothing is written. A claim naming a record that does not exist (a
    // pass that died between claim and record) is taken over.
    const claimed = await this.#d.backups.claimVendorBackup(
      target.provider,
      ref.resourceId,
      ref.backupId,
      id,
      staleClaim,
    );
    if (!claimed) return { ...found, action: "none: claimed meanwhile" };
    const at = now.toISOString();
    // When the vendor made it: the record's place in time (retention, the digest).
    const vendorTime = listed.createdAt ? Date.parse(listed.createdAt) : Number.NaN;
    const madeAt = Number.isNaN(vendorTime) ? at : new Date(vendorTime).toISOString();
    const status = state.status === "FAILED" ? "FAILED" : "AVAILABLE";
    const orphan = found.kind === "orphan";
    const deleteAfter = new Date(now.getTime() + this.#grace()).toISOString();
    // Should this fail, the claim names a record that does not exist: the next pass takes
    // it over (see #unrecorded).
    await this.#d.backups.create(
      {
        id,
        targetId: target.id,
        provider: target.provider,
        status,
        trigger: "adopted",
        origin: orphan ? "orphan" : "unmanaged",
        ...(orphan
          ? {
              orphan: {
                reason: found.reason,
                ...(found.ownerBackupId ? { ownerBackupId: found.ownerBackupId } : {}),
                detectedAt: at,
                deleteAfter,
              },
            }
          : {}),
        providerBackupId: ref.backupId,
        providerResourceId: ref.resourceId,
        providerStatus: state.providerStatus,
        ...(state.sizeBytes === undefined ? {} : { sizeBytes: state.sizeBytes }),
        startedAt: madeAt,
        completedAt: at,
        createdAt: madeAt,
        updatedAt: at,
        deadlineAt: at,
        history: [{ at, status, cause: `found at the vendor by the reconciler: ${found.reason}` }],
        version: 0,
      },
      (created) =>
        orphan ? [eventFromBackup("backup.orphaned", created, { targetName: target.name })] : [],
    );
    return { ...found, backupId: id };
  }

  /** Acts on a record's difference: marks it vanished, or starts an orphan's deletion. */
  async #settle(record: BackupRecord, found: Difference, now: Date): Promise<Difference> {
    const target = await this.#d.targets.find(record.targetId);
    try {
      if (found.kind === "vanished" && record.status === "DELETE_FAILED") {
        // Our own delete got there after all (the vendor outlived the deletion window):
        // an ordinary deletion, not a vanishing.
        await this.#d.backups.transition(
          record.id,
          "DELETED",
          { deletedAt: now.toISOString() },
          {
            from: ["DELETE_FAILED"],
            cause: "the vendor no longer has the backup (the delete finished late)",
            events: (next) => [
              eventFromBackup("backup.deleted", next, target ? { targetName: target.name } : {}),
            ],
          },
        );
        return { ...found, action: "mark it DELETED: our delete finished late" };
      }
      if (found.kind === "vanished") {
        await this.#d.backups.transition(
          record.id,
          "DELETED",
          { vanishedAt: now.toISOString(), deletedAt: now.toISOString() },
          {
            from: ["AVAILABLE", "EXPIRING", "DELETE_FAILED"],
            cause: found.reason,
            events: (next) => [
              eventFromBackup("backup.vanished", next, {
                // The status this very write moved it from (the record may have moved since
                // the listing), which the history's last entry before this one holds.
                previousStatus: next.history.at(-2)?.status ?? record.status,
                ...(target ? { targetName: target.name } : {}),
              }),
            ],
          },
        );
        return found;
      }
      const reason = `orphan: ${found.reason}`;
      if (record.status === "AVAILABLE") {
        await this.#d.retention.expire(record.id, reason);
        return found;
      }
      const deleting = await this.#d.backups.transition(
        record.id,
        "DELETING",
        { deleteReason: reason, deleteRequestedAt: now.toISOString() },
        { from: ["FAILED"] },
      );
      await this.#d.workflows.start(
        "delete-backup",
        executionName("delete-backup", record.id, `v${deleting.version}`),
        { backupId: record.id, reason },
      );
      return found;
    } catch (error) {
      // Moved on meanwhile (a hold placed, a delete started): the next pass looks again.
      if (error instanceof InvalidTransitionError || error instanceof ConflictError)
        return { ...found, action: "none: it moved meanwhile" };
      throw error;
    }
  }

  #grace(): number {
    return this.#d.orphanGraceMs ?? DEFAULT_ORPHAN_GRACE_MS;
  }
}

function key(resourceId: string, backupId: string): string {
  return `${resourceId}\u0000${backupId}`;
}
