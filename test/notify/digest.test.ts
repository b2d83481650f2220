import { describe, expect, it } from "vitest";
import type { BackupRecord } from "../../lib/core/backup.ts";
import { eventFromBackup, scheduleEvent } from "../../lib/notify/event-builders.ts";
import {
  buildDigest,
  type DigestRow,
  DigestTally,
  digestRowsFromRecords,
} from "../../lib/notify/slack/digest.ts";
import { type BackupLister, digestRowsFromStore } from "../../lib/notify/slack/digest-source.ts";
import { availableRecord, deletedRecord, failedRecord } from "./fixtures.ts";

const period = { from: "2026-11-02T00:00:00.000Z", to: "2026-11-03T00:00:00.000Z" };
/** A digest row of a Zilliz target: zero of everything but `counts`. */
const row = (targetId: string, counts: Partial<DigestRow> = {}): DigestRow => ({
  targetId,
  provider: "zilliz",
  created: 0,
  failed: 0,
  deleted: 0,
  missed: 0,
  ...counts,
});

function sectionTexts(message: ReturnType<typeof buildDigest>): string[] {
  return message.blocks.flatMap((b) => (b.type === "section" && b.text ? [b.text.text] : []));
}

describe("buildDigest", () => {
  it("totals the period and lists targets with trouble first", () => {
    const message = buildDigest(
      [
        row("alpha", { created: 3, deleted: 1 }),
        row("zeta", { created: 1, failed: 1 }),
        row("beta", { missed: 2 }),
      ],
      period,
    );

    expect(message.text).toBe("Backup digest 2026-11-02: 4 created, 1 failed, 1 deleted, 2 missed");
    expect(message.blocks[0]).toMatchObject({
      type: "header",
      text: { text: ":warning: Backup digest 2026-11-02" },
    });
    expect(sectionTexts(message)[0]?.split("\n")).toEqual([
      ":red_circle: `beta` (Zilliz Cloud) — created 0 · failed 0 · deleted 0 · missed 2",
      ":red_circle: `zeta` (Zilliz Cloud) — created 1 · failed 1 · deleted 0 · missed 0",
      ":large_green_circle: `alpha` (Zilliz Cloud) — created 3 · failed 0 · deleted 1 · missed 0",
    ]);
  });

  it("shows the storage bill: the total, its change over the day, per vendor and per target", () => {
    const message = buildDigest([row("alpha", { created: 1 })], period, {
      totalBytes: 3 * 1024 ** 3,
      dayBeforeBytes: 2 * 1024 ** 3,
      byVendor: { zilliz: 2 * 1024 ** 3, pinecone: 1024 ** 3 },
      byTarget: { alpha: 512 * 1024 ** 2 },
    });

    expect(message.text).toContain("3.00 GiB stored");
    const fields = message.blocks.flatMap((b) =>
      b.type === "section" && b.fields ? b.fields.map((f) => f.text) : [],
    );
    expect(fields).toContain("*Stored*\n3.00 GiB (+1.00 GiB in a day)");
    expect(fields).toContain("*By vendor*\nZilliz Cloud 2.00 GiB · Pinecone 1.00 GiB");
    expect(sectionTexts(message).join("\n")).toContain(
      "`alpha` (Zilliz Cloud) — created 1 · failed 0 · deleted 0 · missed 0 · 512 MiB stored",
    );
  });

  it("says so when nothing happened", () => {
    const message = buildDigest([], period);

    expect(message.blocks[0]).toMatchObject({
      text: { text: ":white_check_mark: Backup digest 2026-11-02" },
    });
    expect(sectionTexts(message)).toEqual(["No backup activity in this period."]);
  });

  it("stays within Slack's limits for thousands of targets and counts the rest", () => {
    const rows = Array.from({ length: 3_000 }, (_, i) =>
      row(`target-${String(i).padStart(4, "0")}-${"x".repeat(60)}`, {
        targetName: "N".repeat(300),
        created: 1,
      }),
    );

    const message = buildDigest(rows, period);

    expect(message.blocks.length).toBeLessThanOrEqual(50);
    for (const text of sectionTexts(message)) expect(text.length).toBeLessThanOrEqual(3_000);
    const last = message.blocks.at(-1);
    expect(last?.type === "context" && last.elements[0]?.text).toMatch(/^_…and \d+ more targets_$/);
  });
});

describe("digestRowsFromRecords", () => {
  it("counts creations, failures and deletions that fall in the period", () => {
    const records: BackupRecord[] = [
      availableRecord({ id: "a", createdAt: "2026-11-02T02:30:00.000Z" }),
      failedRecord({
        id: "b",
        createdAt: "2026-11-01T23:59:00.000Z",
        completedAt: "2026-11-02T00:03:00.000Z",
      }),
      deletedRecord({
        id: "c",
        createdAt: "2026-10-01T02:30:00.000Z",
        deletedAt: "2026-11-02T03:00:00.000Z",
      }),
      deletedRecord({
        id: "d",
        createdAt: "2026-10-01T02:30:00.000Z",
        deletedAt: "2026-11-03T00:00:00.000Z",
      }),
      availableRecord({ id: "e", targetId: "quiet", createdAt: "2026-10-30T02:30:00.000Z" }),
    ];

    const rows = digestRowsFromRecords(records, period);

    expect(rows).toEqual([
      row("orders-prod", { policyId: "nightly", created: 1, failed: 1, deleted: 1 }),
    ]);
  });
});

describe("DigestTally", () => {
  it("counts events per target within the period and forgets what it reported", () => {
    const tally = new DigestTally();
    tally.record(
      eventFromBackup(
        "backup.created",
        failedRecord({ status: "PENDING", updatedAt: "2026-11-02T02:30:05.000Z" }),
      ),
    );
    tally.record(eventFromBackup("backup.failed", failedRecord()));
    tally.record(eventFromBackup("backup.available", availableRecord()));
    tally.record(
      scheduleEvent("schedule.missed", {
        policyId: "nightly",
        targetId: "orders-prod",
        scheduledAt: "2026-11-02T02:30:00.000Z",
        occurredAt: "2026-11-02T03:45:00.000Z",
      }),
    );
    tally.record(eventFromBackup("backup.deleted", deletedRecord())); // 9 November: next digest

    const rows = tally.take(period);

    expect(rows).toEqual([
      row("orders-prod", { policyId: "nightly", created: 1, failed: 1, missed: 1 }),
    ]);
    expect(tally.take(period)).toEqual([]);
    expect(
      tally.take({ from: "2026-11-09T00:00:00.000Z", to: "2026-11-10T00:00:00.000Z" }),
    ).toHaveLength(1);
  });
});

describe("digestRowsFromStore", () => {
  /** Newest-first pages of two, per status (or all), as the repository lists them. */
  function lister(records: BackupRecord[]): BackupLister & { calls: string[] } {
    const calls: string[] = [];
    return {
      calls,
      async list({ status, cursor }) {
        calls.push(`${status ?? "all"}@${cursor ?? 0}`);
        const matching = records
          .filter((r) => status === undefined || r.status === status)
          .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
        const start = Number(cursor ?? 0);
        const next = start + 2 < matching.length ? String(start + 2) : undefined;
        return { items: matching.slice(start, start + 2), nextCursor: next };
      },
    };
  }

  it("reads recent creations, recent failures and all tombstones, then counts", async () => {
    const store = lister([
      availableRecord({ id: "new1", createdAt: "2026-11-02T05:00:00.000Z" }),
      availableRecord({ id: "new2", createdAt: "2026-11-02T04:00:00.000Z" }),
      availableRecord({ id: "old", createdAt: "2026-10-20T04:00:00.000Z" }),
      availableRecord({ id: "older", createdAt: "2026-10-10T04:00:00.000Z" }),
      deletedRecord({
        id: "gone",
        createdAt: "2026-09-01T04:00:00.000Z",
        deletedAt: "2026-11-02T06:00:00.000Z",
      }),
    ]);

    const rows = await digestRowsFromStore(store, period);

    expect(rows).toEqual([
      expect.objectContaining({ targetId: "orders-prod", created: 2, deleted: 1 }),
    ]);
    expect(store.calls).toEqual(["all@0", "all@2", "FAILED@0", "DELETED@0"]);
  });
});
