import type { BackupRecord } from "../core/backup.ts";
import type { Clock } from "../core/clock.ts";
import { USAGE_DAYS, type UsageReport } from "../core/compliance.ts";
import type { BackupRepository } from "../store/backups.ts";

/** The policy key of backups no policy made. */
export const NO_POLICY = "(none)";

/** Statuses whose vendor backup exists now: what the vendor stores, and bills. */
export const STORED_STATUSES: ReadonlySet<string> = new Set([
  "AVAILABLE",
  "EXPIRING",
  "DELETING",
  "DELETE_FAILED",
]);

/**
 * When the vendor held the backup: from the time it became AVAILABLE until it was
 * deleted (or found gone); `until` undefined: still held. Backups that never became
 * AVAILABLE hold nothing that is billed as a backup.
 */
function heldSpan(r: BackupRecord): { from: number; until?: number } | undefined {
  const from = Date.parse(r.completedAt ?? r.createdAt);
  if (STORED_STATUSES.has(r.status)) return { from };
  if (r.status === "DELETED" && r.completedAt) {
    const end = r.deletedAt ?? r.vanishedAt ?? r.updatedAt;
    return { from, until: Date.parse(end) };
  }
  return undefined;
}

function add(into: Record<string, number>, key: string, bytes: number) {
  into[key] = (into[key] ?? 0) + bytes;
}

/**
 * The storage bill from the catalogue: every record's size over the time the vendor held
 * it. Sizes are what the vendors report (docs/providers.md); a vendor that reports none
 * counts 0 and is counted in `unsized`. It reads every record, tombstones included (they
 * are kept 400 days): a bill is asked for rarely, and a day's series needs the deleted ones.
 */
export class UsageService {
  readonly #d: { backups: BackupRepository; clock: Clock };

  constructor(deps: { backups: BackupRepository; clock: Clock }) {
    this.#d = deps;
  }

  async report(): Promise<UsageReport> {
    const now = this.#d.clock.now();
    const nowMs = now.getTime();
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    // The instant each day of the series is read at: its end, and now for today.
    const points = Array.from({ length: USAGE_DAYS }, (_, i) => {
      const start = today - (USAGE_DAYS - 1 - i) * 86_400_000;
      return { start, at: Math.min(start + 86_400_000 - 1, nowMs) };
    });
    const series = points.map((p) => ({
      date: new Date(p.start).toISOString().slice(0, 10),
      totalBytes: 0,
      byVendor: {} as Record<string, number>,
    }));
    const report: UsageReport = {
      at: now.toISOString(),
      totalBytes: 0,
      backups: 0,
      unsized: 0,
      byVendor: {},
      byPolicy: {},
      byTarget: {},
      series,
    };
    await this.#d.backups.forEachRecord(async (r) => {
      const span = heldSpan(r);
      if (!span) return;
      const bytes = r.sizeBytes ?? 0;
      for (const [i, p] of points.entries()) {
        if (span.from <= p.at && (span.until === undefined || p.at < span.until)) {
          const day = series[i] as (typeof series)[number];
          day.totalBytes += bytes;
          add(day.byVendor, r.provider, bytes);
        }
      }
      if (span.until !== undefined) return;
      report.backups++;
      if (r.sizeBytes === undefined) report.unsized++;
      report.totalBytes += bytes;
      add(report.byVendor, r.provider, bytes);
      add(report.byPolicy, r.policyId ?? NO_POLICY, bytes);
      add(report.byTarget, r.targetId, bytes);
    });
    return report;
  }
}
