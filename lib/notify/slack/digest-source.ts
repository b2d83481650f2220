import type { BackupRecord } from "../../core/backup.ts";
import type { BackupStatus } from "../../core/status.ts";
import { type DigestPeriod, type DigestRow, digestRowsFromRecords } from "./digest.ts";

/** The listing the digest reads: `BackupRepository.list` fits (newest `createdAt` first). */
export interface BackupLister {
  list(query: {
    status?: BackupStatus;
    limit?: number;
    cursor?: string;
  }): Promise<{ items: BackupRecord[]; nextCursor?: string }>;
}

/** Options of {@link digestRowsFromStore}. */
export interface DigestStoreOptions {
  /** A failed backup's creation is at most this long before its failure (the longest completion window). */
  maxCreateSpanMs?: number;
  /** Pages of 100 read per listing at most, so a huge table cannot stall the digest. */
  maxPages?: number;
}

/**
 * Digest rows from the backup store, with Queries only: backups created in the period
 * (all backups, newest first, until one is older than the period), FAILED ones created
 * up to a completion window before it, and DELETED tombstones (any age: tombstones
 * expire, which bounds them). Missed runs are not in the store; merge them in from the
 * dispatcher's run log if it keeps one.
 */
export async function digestRowsFromStore(
  backups: BackupLister,
  period: DigestPeriod,
  options: DigestStoreOptions = {},
): Promise<DigestRow[]> {
  const maxPages = options.maxPages ?? 50;
  const failedFrom = new Date(
    Date.parse(period.from) - (options.maxCreateSpanMs ?? 8 * 86_400_000),
  ).toISOString();
  const seen = new Map<string, BackupRecord>();
  const collect = async (status: BackupStatus | undefined, oldest: string | undefined) => {
    let cursor: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const result = await backups.list({ status, limit: 100, cursor });
      for (const record of result.items) {
        if (oldest !== undefined && record.createdAt < oldest) return;
        seen.set(record.id, record);
      }
      cursor = result.nextCursor;
      if (cursor === undefined) return;
    }
  };
  await collect(undefined, period.from);
  await collect("FAILED", failedFrom);
  await collect("DELETED", undefined);
  return digestRowsFromRecords(seen.values(), period);
}
