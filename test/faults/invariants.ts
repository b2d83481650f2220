import type { BackupRecord } from "../../lib/core/backup.ts";
import type { InventoryEntry } from "../../sandbox/vendor-hooks.ts";

/*
 * What must hold once the system has come to rest after faults, checked against the
 * vendors' own state (the simulators' inventory), not against what we believe. Each
 * check returns the violations in words, so a failing seed says what broke.
 */

/** Statuses in which a record says its vendor backup exists. */
const HELD = new Set(["AVAILABLE", "EXPIRING", "DELETE_FAILED"]);
/** Statuses a record may rest in (anything else is stuck). */
const AT_REST = new Set(["AVAILABLE", "DELETED", "FAILED", "DELETE_FAILED"]);

const vendorKey = (resourceId: string, backupId: string) => `${resourceId}/${backupId}`;

/** Every vendor backup has exactly one record, which does not call it gone. */
export function unrecordedOrDoubled(vendor: InventoryEntry[], records: BackupRecord[]): string[] {
  const byVendor = new Map<string, BackupRecord[]>();
  for (const r of records) {
    if (!r.providerBackupId || !r.providerResourceId) continue;
    const key = vendorKey(r.providerResourceId, r.providerBackupId);
    byVendor.set(key, [...(byVendor.get(key) ?? []), r]);
  }
  const problems: string[] = [];
  for (const b of vendor) {
    const claimed = byVendor.get(vendorKey(b.resourceId, b.backupId)) ?? [];
    const live = claimed.filter((r) => r.status !== "DELETED");
    if (live.length !== 1)
      problems.push(
        `${b.vendor} backup ${b.backupId} (${b.label || "no label"}, ${b.status}) has ${live.length} live records${claimed.length ? ` (${claimed.map((r) => `${r.id} ${r.status}`).join(", ")})` : ""}`,
      );
  }
  return problems;
}

/** Every record tells the truth about its vendor backup, and none is stuck. */
export function untruthfulOrStuck(vendor: InventoryEntry[], records: BackupRecord[]): string[] {
  const present = new Set(vendor.map((b) => vendorKey(b.resourceId, b.backupId)));
  const problems: string[] = [];
  for (const r of records) {
    if (!AT_REST.has(r.status)) problems.push(`${r.id} is stuck in ${r.status}`);
    const key =
      r.providerBackupId && r.providerResourceId
        ? vendorKey(r.providerResourceId, r.providerBackupId)
        : undefined;
    if (HELD.has(r.status) && (!key || !present.has(key)))
      problems.push(`${r.id} is ${r.status}, but its vendor backup ${r.providerBackupId} is gone`);
    if (r.status === "DELETED" && key && present.has(key))
      problems.push(`${r.id} is DELETED, but the vendor still has ${r.providerBackupId}`);
  }
  return problems;
}

/** Nothing was deleted without a reason, and nothing that is not ours was deleted. */
export function unexplainedDeletions(
  vendor: InventoryEntry[],
  records: BackupRecord[],
  foreign: Array<{ backupId: string }>,
): string[] {
  const present = new Set(vendor.map((b) => b.backupId));
  const problems = foreign
    .filter((f) => !present.has(f.backupId))
    .map((f) => `the foreign vendor backup ${f.backupId} was deleted`);
  for (const r of records.filter((r) => r.status === "DELETED")) {
    if (!r.deleteReason && !r.vanishedAt) problems.push(`${r.id} was deleted without a reason`);
    if (r.origin === "unmanaged") problems.push(`unmanaged ${r.id} was deleted`);
  }
  return problems;
}

/** Every FAILED backup of ours reached Slack exactly once. */
export function failuresNotAnnouncedOnce(records: BackupRecord[], slackTexts: string[]): string[] {
  const failed = slackTexts.filter((t) => t.includes("Backup failed"));
  return records
    .filter((r) => r.status === "FAILED" && (r.origin ?? "managed") === "managed")
    .flatMap((r) => {
      const n = failed.filter((t) => t.includes(r.id)).length;
      return n === 1 ? [] : [`FAILED ${r.id} was announced ${n} times`];
    });
}

/** A vendor request as the simulator logged it, classified. */
export interface VendorCall {
  kind: "list" | "create";
  /** When the vendor acted on it. */
  servedAt: number;
  /** Answered in time with success: a listing its caller saw, a create its caller made then. */
  ok: boolean;
}

/**
 * Adoption missed nothing. Within one record's create (from its first attempt to the
 * moment it settled on a vendor backup), only its own attempts act on the resource (the
 * lease). A miss is a listing that the vendor answered while an orphan carrying the
 * record's id already existed, followed by a create before the next listing: the retry saw
 * what the earlier attempt made and made another anyway. An orphan that landed after the
 * listings (a request held by the network, carried out late) is no miss: only the
 * reconciler can find that one.
 */
export function missedAdoptions(
  records: BackupRecord[],
  /** When each vendor backup was made, to the millisecond (the simulators' own clocks). */
  vendorCreatedAt: ReadonlyMap<string, number>,
  /** The adoption listings and creates each vendor served, by provider. */
  callsOf: (provider: string) => VendorCall[],
): string[] {
  const byId = new Map(records.map((r) => [r.id, r]));
  const problems: string[] = [];
  for (const orphan of records.filter((r) => r.origin === "orphan")) {
    const owner = orphan.orphan?.ownerBackupId ? byId.get(orphan.orphan.ownerBackupId) : undefined;
    const made = vendorCreatedAt.get(orphan.providerBackupId ?? "");
    if (!owner?.startedAt || made === undefined) continue;
    const settled = owner.history.find((h) => h.status === "CREATING" || h.status === "FAILED");
    const from = Date.parse(owner.startedAt);
    const to = settled ? Date.parse(settled.at) : Number.POSITIVE_INFINITY;
    const calls = callsOf(owner.provider)
      .filter((c) => c.ok && c.servedAt >= from && c.servedAt <= to)
      .sort((a, b) => a.servedAt - b.servedAt);
    calls.forEach((call, i) => {
      if (call.kind !== "list" || call.servedAt < made) return;
      const next = calls.slice(i + 1).find((c) => c.kind === "list");
      const created = calls.slice(i + 1).find((c) => c.kind === "create");
      if (created && (!next || created.servedAt < next.servedAt))
        problems.push(
          `${owner.id} missed its vendor backup ${orphan.providerBackupId}: a listing at +${call.servedAt - from} ms showed it, and a create followed`,
        );
    });
  }
  return problems;
}
