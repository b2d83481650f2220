import { describe, expect, it } from "vitest";
import { ValidationError } from "../../lib/core/errors.ts";
import type { RestoreRecord } from "../../lib/core/restore.ts";
import {
  eventFromBackup,
  eventFromRestore,
  freshnessEvent,
  scheduleEvent,
} from "../../lib/notify/event-builders.ts";
import {
  AnyEventDetail,
  type DomainEvent,
  EventType,
  parseDomainEvent,
} from "../../lib/notify/events.ts";
import { availableRecord, deletedRecord, failedRecord } from "./fixtures.ts";

/** One event of every detail-type. */
function everyEvent(): DomainEvent[] {
  const creating = failedRecord({
    status: "CREATING",
    lastError: undefined,
    completedAt: undefined,
  });
  return [
    eventFromBackup("backup.created", creating),
    eventFromBackup("backup.available", availableRecord(), { targetName: "Orders (prod)" }),
    eventFromBackup("backup.failed", failedRecord()),
    eventFromBackup("backup.expiring", availableRecord({ status: "EXPIRING" }), {
      reason: "keepDaily=7",
    }),
    eventFromBackup("backup.deleted", deletedRecord()),
    eventFromBackup(
      "backup.delete_failed",
      deletedRecord({ status: "DELETE_FAILED", deletedAt: undefined }),
    ),
    eventFromBackup(
      "backup.orphaned",
      availableRecord({
        origin: "orphan",
        trigger: "adopted",
        orphan: {
          reason: "a duplicate of bk_01jd3owner, whose vendor backup is backup0_a1",
          ownerBackupId: "bk_01jd3owner",
          detectedAt: "2026-11-02T04:00:00.000Z",
          deleteAfter: "2026-11-03T04:00:00.000Z",
        },
      }),
    ),
    eventFromBackup("backup.vanished", deletedRecord({ vanishedAt: "2026-11-02T04:00:00.000Z" }), {
      previousStatus: "AVAILABLE",
    }),
    eventFromBackup("backup.hold_lifted", availableRecord(), {
      hold: {
        reason: "litigation 42",
        by: "arn:aws:iam::1:user/legal",
        at: "2026-11-01T00:00:00.000Z",
      },
      liftedBy: "arn:aws:iam::1:user/counsel",
    }),
    scheduleEvent("schedule.skipped", {
      policyId: "nightly",
      targetId: "orders-prod",
      scheduledAt: "2026-11-02T02:30:00.000Z",
      occurredAt: "2026-11-02T02:30:01.000Z",
      reason: "a backup of this cluster is still running",
      blockingBackupId: "bk_01jd3other",
    }),
    scheduleEvent("schedule.missed", {
      policyId: "nightly",
      targetId: "orders-prod",
      scheduledAt: "2026-11-02T02:30:00.000Z",
      occurredAt: "2026-11-02T03:45:00.000Z",
      windowMinutes: 60,
    }),
    scheduleEvent("schedule.failed", {
      policyId: "nightly",
      targetId: "orders-prod",
      scheduledAt: "2026-11-02T02:30:00.000Z",
      occurredAt: "2026-11-02T02:30:01.000Z",
      reason: "the run failed: the create-backup workflow could not be started",
      error: { code: "ServiceUnavailable", class: "ServiceUnavailable", message: "unavailable" },
    }),
    eventFromRestore("restore.requested", restoreRecord()),
    eventFromRestore(
      "restore.restored",
      restoreRecord({ status: "RESTORED", completedAt: "2026-11-02T03:10:00.000Z" }),
      {
        targetName: "Orders (prod)",
      },
    ),
    eventFromRestore(
      "restore.failed",
      restoreRecord({
        status: "RESTORE_FAILED",
        completedAt: "2026-11-02T03:10:00.000Z",
        lastError: {
          code: "TIMEOUT",
          class: "TIMEOUT",
          message: "not RESTORED in time",
          at: "2026-11-02T03:10:00.000Z",
        },
      }),
    ),
    freshnessEvent("freshness.breached", FRESHNESS_FACTS),
    freshnessEvent("freshness.recovered", {
      ...FRESHNESS_FACTS,
      since: "2026-11-03T02:45:00.000Z",
      ageSeconds: 600,
      breachedSince: "2026-11-03T02:30:00.000Z",
    }),
  ];
}

/** A target out of its 26-hour objective: nothing backed it up for 27 hours. */
const FRESHNESS_FACTS = {
  occurredAt: "2026-11-03T02:30:00.000Z",
  targetId: "orders-prod",
  targetName: "Orders (prod)",
  provider: "zilliz",
  objective: "26h",
  objectiveSeconds: 93_600,
  objectiveFrom: "policy:nightly",
  policyId: "nightly",
  policyIds: ["nightly"],
  newestBackupId: "bk_01jd3avail",
  newestBackupAt: "2026-11-01T23:30:00.000Z",
  ageSeconds: 97_200,
  since: "2026-11-03T02:30:00.000Z",
};

/** A restore of a prod index into a new one, as the table holds it. */
function restoreRecord(overrides: Partial<RestoreRecord> = {}): RestoreRecord {
  return {
    id: "rs_01jd3restore",
    backupId: "bk_01jd3avail",
    targetId: "orders-prod",
    provider: "pinecone",
    status: "PENDING",
    destination: { indexName: "orders-copy" },
    providerResourceId: "orders-copy",
    createdResource: true,
    requestedBy: "arn:aws:iam::1:user/ops",
    createdAt: "2026-11-02T03:00:00.000Z",
    updatedAt: "2026-11-02T03:00:00.000Z",
    deadlineAt: "2026-11-02T09:00:00.000Z",
    history: [],
    version: 1,
    ...overrides,
  };
}

describe("event catalogue", () => {
  it("has one event of every detail-type in the fixtures", () => {
    expect(everyEvent().map((e) => e.type)).toEqual(Object.values(EventType));
  });

  it("round-trips every event through JSON and parseDomainEvent unchanged", () => {
    for (const event of everyEvent()) {
      const received = parseDomainEvent(JSON.parse(JSON.stringify(event)));

      expect(received).toEqual(event);
    }
  });

  it("reads an event in the shape EventBridge delivers it", () => {
    const event = eventFromBackup("backup.failed", failedRecord());
    const delivered = {
      version: "0",
      id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
      "detail-type": event.type,
      source: "backup-warden",
      account: "111122223333",
      time: event.detail.occurredAt,
      region: "eu-central-1",
      resources: [],
      detail: JSON.parse(JSON.stringify(event.detail)),
    };

    expect(parseDomainEvent(delivered)).toEqual(event);
  });

  it("rejects a detail that does not fit its detail-type, naming the field", () => {
    const failed = eventFromBackup("backup.failed", failedRecord());
    const { error: _, ...withoutError } = failed.detail;

    expect(() => parseDomainEvent({ type: "backup.failed", detail: withoutError })).toThrow(
      ValidationError,
    );
    expect(() => parseDomainEvent({ type: "backup.failed", detail: withoutError })).toThrow(
      /detail\.error/,
    );
    expect(() => parseDomainEvent({ type: "backup.exploded", detail: {} })).toThrow(
      ValidationError,
    );
    expect(() =>
      parseDomainEvent({ type: "backup.failed", detail: { ...failed.detail, version: 2 } }),
    ).toThrow(ValidationError);
  });

  it("drops fields it does not know, so older consumers read newer producers", () => {
    const event = eventFromBackup("backup.deleted", deletedRecord());

    const received = parseDomainEvent({
      type: event.type,
      detail: { ...event.detail, addedInV1_3: "x" },
    });

    expect(received.detail).not.toHaveProperty("addedInV1_3");
  });
});

describe("AnyEventDetail", () => {
  it("passes every detail through whole, so the detail-type check still sees all of it", () => {
    for (const event of everyEvent()) {
      expect(AnyEventDetail.parse(event.detail)).toEqual(event.detail);
    }
  });

  it("refuses something that is no detail of the catalogue", () => {
    expect(AnyEventDetail.safeParse({ version: 1, hello: "world" }).success).toBe(false);
  });
});

describe("eventFromBackup", () => {
  it("carries what an on-call engineer needs about a failure", () => {
    const { detail } = eventFromBackup("backup.failed", failedRecord());

    expect(detail).toMatchObject({
      version: 1,
      eventId: "backup.failed:bk_01jd3failed0000000000000000:5",
      occurredAt: "2026-11-02T02:34:17.000Z",
      backupId: "bk_01jd3failed0000000000000000",
      targetId: "orders-prod",
      provider: "zilliz",
      status: "FAILED",
      policyId: "nightly",
      scheduledAt: "2026-11-02T02:30:00.000Z",
      providerBackupId: "backup-7f3a",
      durationMs: 252_000,
      error: {
        code: "ProviderQuota",
        class: "QUOTA",
        message: "insufficient storage quota for backup",
      },
    });
  });

  it("measures a deletion from the request to the tombstone", () => {
    const { detail } = eventFromBackup("backup.deleted", deletedRecord());

    expect(detail).toMatchObject({ durationMs: 90_000, reason: "retention: keepDaily=7" });
  });

  it("never copies anything but the catalogue's fields into the detail", () => {
    const record = {
      ...failedRecord(),
      secretRef: "warden/zilliz-prod",
      credentials: { apiKey: "sk-live-do-not-leak" },
    };

    const event = eventFromBackup("backup.failed", record);

    const text = JSON.stringify(event);
    expect(text).not.toContain("sk-live-do-not-leak");
    expect(text).not.toContain("warden/zilliz-prod");
    expect(text).not.toContain("deadlineAt");
  });

  it("shortens a huge vendor message instead of producing an oversized event", () => {
    const record = failedRecord({
      lastError: {
        code: "X",
        class: "UNKNOWN",
        message: "e".repeat(50_000),
        at: "2026-11-02T02:34:17.000Z",
      },
    });

    const { detail } = eventFromBackup("backup.failed", record);

    expect(detail.error.message).toHaveLength(2_000);
    expect(detail.error.message.endsWith("…")).toBe(true);
  });

  it("reports a failure without a recorded error as UNKNOWN rather than dropping it", () => {
    const { detail } = eventFromBackup("backup.failed", failedRecord({ lastError: undefined }));

    expect(detail.error).toEqual({
      code: "UNKNOWN",
      class: "UNKNOWN",
      message: "no error was recorded",
    });
  });

  it("gives each delete failure of the same backup its own event id", () => {
    const first = eventFromBackup(
      "backup.delete_failed",
      deletedRecord({ status: "DELETE_FAILED", version: 11 }),
    );
    const again = eventFromBackup(
      "backup.delete_failed",
      deletedRecord({ status: "DELETE_FAILED", version: 13 }),
    );

    expect(first.detail.eventId).not.toBe(again.detail.eventId);
  });
});
