import type { BackupRecord } from "../../lib/core/backup.ts";
import { type ManualClock, manualClock } from "../support/clocks.ts";

/** A FAILED Zilliz backup as the record-failure task leaves it. */
export function failedRecord(overrides: Partial<BackupRecord> = {}): BackupRecord {
  return {
    id: "bk_01jd3failed0000000000000000",
    targetId: "orders-prod",
    provider: "zilliz",
    status: "FAILED",
    trigger: "schedule",
    policyId: "nightly",
    scheduledAt: "2026-11-02T02:30:00.000Z",
    providerBackupId: "backup-7f3a",
    providerResourceId: "in01-7b3f9c2e5a1d804",
    providerJobId: "job-42",
    providerStatus: "FAILED",
    createdAt: "2026-11-02T02:30:05.000Z",
    updatedAt: "2026-11-02T02:34:17.000Z",
    startedAt: "2026-11-02T02:30:05.000Z",
    completedAt: "2026-11-02T02:34:17.000Z",
    deadlineAt: "2026-11-02T08:30:05.000Z",
    lastError: {
      code: "ProviderQuota",
      class: "QUOTA",
      message: "insufficient storage quota for backup",
      at: "2026-11-02T02:34:17.000Z",
    },
    history: [],
    version: 5,
    ...overrides,
  };
}

/** An AVAILABLE backup of 1.5 GiB that took 20 minutes. */
export function availableRecord(overrides: Partial<BackupRecord> = {}): BackupRecord {
  const { lastError: _, ...rest } = failedRecord();
  return {
    ...rest,
    id: "bk_01jd3available00000000000000",
    status: "AVAILABLE",
    providerStatus: "SUCCESSFUL",
    sizeBytes: 1_610_612_736,
    completedAt: "2026-11-02T02:50:05.000Z",
    updatedAt: "2026-11-02T02:50:05.000Z",
    keepReasons: ["last 7", "daily"],
    ...overrides,
  };
}

/** A DELETED tombstone removed by retention. */
export function deletedRecord(overrides: Partial<BackupRecord> = {}): BackupRecord {
  return availableRecord({
    id: "bk_01jd3deleted000000000000000",
    status: "DELETED",
    deleteReason: "retention: keepDaily=7",
    deleteRequestedAt: "2026-11-09T03:00:00.000Z",
    deletedAt: "2026-11-09T03:01:30.000Z",
    updatedAt: "2026-11-09T03:01:30.000Z",
    version: 9,
    ...overrides,
  });
}

/** Time stands still unless moved; `sleep` moves it and records the wait. */
export function fakeTime(start = Date.parse("2026-11-02T03:00:00.000Z")): ManualClock {
  return manualClock(start);
}
