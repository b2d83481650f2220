import { describe, expect, it } from "vitest";
import type { BackupRecord } from "../../lib/core/backup.ts";
import { LeaseHeldError } from "../../lib/core/errors.ts";
import type { BackupProvider, VendorBackup } from "../../lib/providers/port.ts";
import { BudgetDeferral, BudgetRefusal } from "../../lib/providers/rate-budget.ts";
import { type BackupTaskDeps, BackupTasks } from "../../lib/usecases/backup-tasks.ts";
import { manualClock } from "../support/clocks.ts";
import { fakeProvider, MemoryBackups, memoryTargets, recordingLeases } from "../support/fakes.ts";
import { storedTarget } from "../support/targets.ts";

/*
 * The task bodies' decisions, on fakes of the ports they take: fast, one case each. The
 * workflow suites (test/workflows/) run the same bodies under the real ASL on dynalite.
 */

const target = storedTarget({
  id: "orders",
  name: "Orders vectors",
  resource: { clusterId: "in01-7b3f9c2e5a1d804" },
});

function record(overrides: Partial<BackupRecord> = {}): BackupRecord {
  return {
    id: "bk_1",
    targetId: "orders",
    provider: "zilliz",
    status: "PENDING",
    trigger: "api",
    createdAt: "2026-11-01T00:00:00.000Z",
    updatedAt: "2026-11-01T00:00:00.000Z",
    deadlineAt: "2026-11-01T06:00:00.000Z",
    history: [],
    version: 1,
    ...overrides,
  } as BackupRecord;
}

const creating = (overrides: Partial<BackupRecord> = {}) =>
  record({
    status: "CREATING",
    providerBackupId: "backup-7f3a",
    providerResourceId: "in01-7b3f9c2e5a1d804",
    providerJobId: "job-42",
    startedAt: "2026-11-01T00:00:01.000Z",
    ...overrides,
  });

function tasksWith(records: BackupRecord[], provider: BackupProvider) {
  const backups = new MemoryBackups(records);
  const { leases, calls: leaseCalls } = recordingLeases();
  const replanned: string[] = [];
  const removed: string[] = [];
  const clock = manualClock(Date.parse("2026-11-01T00:01:00.000Z"));
  const deps: BackupTaskDeps = {
    backups,
    targets: memoryTargets([target]),
    leases,
    expiry: {
      remove: async (id: string) => {
        removed.push(id);
        return true;
      },
    },
    providers: async () => provider,
    retention: { onAvailable: async (r) => void replanned.push(r.id) },
    clock,
  };
  const tasks = new BackupTasks(deps);
  return { tasks, deps, backups, leaseCalls, events: backups.outbox, replanned, removed, clock };
}

const ref = { backupId: "backup-7f3a", resourceId: "in01-7b3f9c2e5a1d804", jobId: "job-42" };

/** A vendor backup as a listing reports it. */
function listed(overrides: Partial<VendorBackup> = {}): VendorBackup {
  return {
    ref: { backupId: ref.backupId, resourceId: ref.resourceId },
    state: { status: "RUNNING", providerStatus: "CREATING" },
    createdAt: "2026-11-01T00:00:02Z",
    automatic: false,
    sameKind: true,
    ...overrides,
  };
}

describe("startBackup", () => {
  it("asks the vendor once and records its ids (PENDING → CREATING)", async () => {
    const vendor = fakeProvider({
      create: async () => ({ ref, state: { status: "RUNNING", providerStatus: "IN_PROGRESS" } }),
    });
    const { tasks, backups } = tasksWith([record()], vendor.provider);

    // No history yet: the first look is the plan's first step.
    await expect(tasks.startBackup({ backupId: "bk_1" })).resolves.toEqual({
      providerBackupId: "backup-7f3a",
      outcome: "RUNNING",
      nextWaitSeconds: 15,
      expectedSeconds: 0,
    });

    expect(vendor.calls).toEqual(["create bk_1"]);
    expect(await backups.get("bk_1")).toMatchObject({
      status: "CREATING",
      providerBackupId: "backup-7f3a",
      providerJobId: "job-42",
      providerStatus: "REQUESTED",
    });
  });

  it("takes the lease first: a held lease fails the step before the vendor is asked", async () => {
    const vendor = fakeProvider({
      create: async () => ({ ref, state: { status: "RUNNING", providerStatus: "IN_PROGRESS" } }),
    });
    const { tasks, leaseCalls } = tasksWith([record()], vendor.provider);
    await tasks.startBackup({ backupId: "bk_1" });
    expect(leaseCalls).toEqual(["acquire zilliz:default:zilliz-main/in01-7b3f9c2e5a1d804 bk_1"]);

    const held = tasksWith([record()], vendor.provider);
    const busy = new BackupTasks({
      ...held.deps,
      leases: {
        acquire: async (resource) => {
          throw new LeaseHeldError(resource, "bk_other");
        },
        release: async () => {},
      },
    });
    await expect(busy.startBackup({ backupId: "bk_1" })).rejects.toThrow(LeaseHeldError);
    expect(vendor.calls).toEqual(["create bk_1"]);
    expect((await held.backups.get("bk_1")).status).toBe("PENDING");
  });

  it.each([
    ["still running", "RUNNING"],
    ["finished", "AVAILABLE"],
    ["failed", "FAILED"],
  ] as const)(
    "adopts what a lost attempt made, %s, instead of starting a second one",
    async (_, status) => {
      const vendor = fakeProvider({
        labelsBackups: true,
        listed: [
          listed({ ref: { ...ref, backupId: "theirs" } }),
          listed({ ownerId: "bk_other", ref: { ...ref, backupId: "another-record" } }),
          listed({ ownerId: "bk_1", state: { status, providerStatus: status } }),
        ],
      });
      const { tasks, backups } = tasksWith(
        [record({ startedAt: "2026-11-01T00:00:01.000Z" })],
        vendor.provider,
      );

      await tasks.startBackup({ backupId: "bk_1" });

      expect(vendor.calls).toEqual(["listBackups"]);
      expect(await backups.get("bk_1")).toMatchObject({
        status: "CREATING",
        providerBackupId: "backup-7f3a",
        providerStatus: "ADOPTED",
      });
    },
  );

  it("adopts, where backups carry no id of ours, the oldest unclaimed manual backup of the kind", async () => {
    const vendor = fakeProvider({
      listed: [
        listed({ ref: { ...ref, backupId: "later" }, createdAt: "2026-11-01T00:00:09Z" }),
        listed({
          ref: { ...ref, backupId: "auto" },
          automatic: true,
          createdAt: "2026-11-01T00:00:02Z",
        }),
        listed({
          ref: { ...ref, backupId: "other-kind" },
          sameKind: false,
          createdAt: "2026-11-01T00:00:02Z",
        }),
        listed({ ref: { ...ref, backupId: "first" }, createdAt: "2026-11-01T00:00:03Z" }),
      ],
    });
    const { tasks, backups } = tasksWith(
      [record({ startedAt: "2026-11-01T00:00:01.000Z" })],
      vendor.provider,
    );

    await tasks.startBackup({ backupId: "bk_1" });

    expect((await backups.get("bk_1")).providerBackupId).toBe("first");
  });

  it("never adopts a vendor backup another record has claimed", async () => {
    const vendor = fakeProvider({
      listed: [listed()],
      create: async () => ({
        ref: { ...ref, backupId: "backup-9c1d" },
        state: { status: "RUNNING", providerStatus: "IN_PROGRESS" },
      }),
    });
    const { tasks, backups } = tasksWith(
      [record({ startedAt: "2026-11-01T00:00:01.000Z" })],
      vendor.provider,
    );
    await backups.claimVendorBackup("zilliz", ref.resourceId, ref.backupId, "bk_other");

    await tasks.startBackup({ backupId: "bk_1" });

    expect(vendor.calls).toEqual(["listBackups", "create bk_1"]);
    expect((await backups.get("bk_1")).providerBackupId).toBe("backup-9c1d");
  });

  it("fails rather than record a vendor backup another record already owns", async () => {
    const vendor = fakeProvider({
      create: async () => ({ ref, state: { status: "RUNNING", providerStatus: "IN_PROGRESS" } }),
    });
    const { tasks, backups } = tasksWith([record()], vendor.provider);
    await backups.claimVendorBackup("zilliz", ref.resourceId, ref.backupId, "bk_imported");

    const error = await tasks.startBackup({ backupId: "bk_1" }).catch((e: Error) => e);

    expect(error).toMatchObject({ name: "ConflictError" });
    expect((error as Error).message).toContain("bk_imported");
    expect((await backups.get("bk_1")).providerBackupId).toBeUndefined();
  });

  it("answers DEFERRED with the budget's slot when the fleet's budget defers the create, and forgets it ever asked", async () => {
    const turn = { key: "RATE#zilliz|api.cloud.zilliz.com|acct", slotMs: Date.now() + 60_000 };
    const vendor = fakeProvider({
      create: async () => {
        throw new BudgetDeferral({
          provider: "zilliz",
          message: "deferred",
          retryAfterMs: 58_000,
          turn,
        });
      },
    });
    const { tasks, backups, leaseCalls } = tasksWith([record()], vendor.provider);

    const before = Date.now();
    const outcome = await tasks.startBackup({ backupId: "bk_1" });
    expect(outcome).toMatchObject({ outcome: "DEFERRED", turn });
    // Back when the budget said, on the wall clock the Wait state runs on.
    const back = Date.parse((outcome as { retryAt: string }).retryAt) - before;
    expect(back).toBeGreaterThanOrEqual(58_000);
    expect(back).toBeLessThan(59_000);
    // The lease is kept for the start that comes back; the vendor was never asked, so that
    // start asks it without looking for an earlier attempt's backup.
    expect(leaseCalls).toHaveLength(1);
    const pending = await backups.get("bk_1");
    expect(pending.status).toBe("PENDING");
    expect(pending.startedAt).toBeUndefined();
  });

  it("reserves its turn before it writes anything: a start that must wait for it is deferred having written nothing but the lease", async () => {
    const turn = { key: "RATE#zilliz|api.cloud.zilliz.com|acct", slotMs: Date.now() + 30_000 };
    const vendor = fakeProvider({ reserve: async () => ({ turn, retryAfterMs: 26_000 }) });
    const { tasks, backups, leaseCalls } = tasksWith([record()], vendor.provider);

    const outcome = await tasks.startBackup({ backupId: "bk_1" });
    expect(outcome).toMatchObject({ outcome: "DEFERRED", turn });
    expect(vendor.calls).toEqual(["reserveTurn"]);
    expect(leaseCalls).toHaveLength(1);
    const pending = await backups.get("bk_1");
    expect(pending.version).toBe(1);
    expect(pending.startedAt).toBeUndefined();
  });

  it("asks the vendor at once, in the turn it reserved, when that turn is now", async () => {
    const turn = { key: "RATE#zilliz|api.cloud.zilliz.com|acct", slotMs: Date.now() };
    const vendor = fakeProvider({
      reserve: async () => ({ turn, retryAfterMs: 0 }),
      create: async () => ({ ref, state: { status: "RUNNING", providerStatus: "IN_PROGRESS" } }),
    });
    const { tasks, backups } = tasksWith([record()], vendor.provider);
    await expect(tasks.startBackup({ backupId: "bk_1" })).resolves.toMatchObject({
      outcome: "RUNNING",
    });
    expect(vendor.calls).toEqual(["reserveTurn", "create bk_1"]);
    expect((await backups.get("bk_1")).status).toBe("CREATING");
  });

  it("lets a deferral past the completion window stand as THROTTLED, for the step's retries and Catch", async () => {
    const deferral = new BudgetDeferral({
      provider: "zilliz",
      message: "deferred",
      retryAfterMs: 6 * 60 * 60_000,
      turn: { key: "RATE#zilliz|h|a", slotMs: Date.now() + 6 * 60 * 60_000 },
    });
    const vendor = fakeProvider({
      create: async () => {
        throw deferral;
      },
    });
    const { tasks } = tasksWith([record()], vendor.provider);
    await expect(tasks.startBackup({ backupId: "bk_1" })).rejects.toBe(deferral);
  });
});

describe("pollBackup", () => {
  it("puts a look off, with no retry spent, when the fleet's budget has no room for it", async () => {
    const vendor = fakeProvider({
      status: async () => {
        throw new BudgetRefusal({ provider: "zilliz", message: "taken", retryAfterMs: 42_300 });
      },
    });
    const { tasks, backups } = tasksWith([creating()], vendor.provider);
    await expect(tasks.pollBackup({ backupId: "bk_1", waitSeconds: 15 })).resolves.toEqual({
      outcome: "RUNNING",
      nextWaitSeconds: 43,
      expectedSeconds: 0,
    });
    expect((await backups.get("bk_1")).status).toBe("CREATING");
  });

  it("looks again when the vendor's progress says the job will be done", async () => {
    const vendor = fakeProvider({
      status: async () => ({ status: "RUNNING", providerStatus: "IN_PROGRESS", progress: 40 }),
    });
    const { tasks, backups } = tasksWith([creating()], vendor.provider);

    // 40 % after 59 s: 88.5 s more.
    await expect(tasks.pollBackup({ backupId: "bk_1", waitSeconds: 15 })).resolves.toEqual({
      outcome: "RUNNING",
      nextWaitSeconds: 89,
      expectedSeconds: 0,
    });
    expect(await backups.get("bk_1")).toMatchObject({
      progress: 40,
      providerStatus: "IN_PROGRESS",
    });
  });

  it("fails a backup past its completion window, frees the cluster and says so once", async () => {
    const vendor = fakeProvider({
      status: async () => ({ status: "RUNNING", providerStatus: "IN_PROGRESS" }),
    });
    const { tasks, backups, leaseCalls, events, clock } = tasksWith([creating()], vendor.provider);
    clock.advance(7 * 3_600_000);

    await expect(tasks.pollBackup({ backupId: "bk_1", waitSeconds: 120 })).resolves.toEqual({
      outcome: "FAILED",
    });

    expect(await backups.get("bk_1")).toMatchObject({
      status: "FAILED",
      lastError: { code: "TIMEOUT", class: "TIMEOUT" },
    });
    expect(leaseCalls).toEqual(["release zilliz:default:zilliz-main/in01-7b3f9c2e5a1d804 bk_1"]);
    expect(events.map((e) => e.type)).toEqual(["backup.failed"]);
  });

  it("looks first when the target's recent good backups say this one will be done", async () => {
    const done = (id: string, seconds: number) =>
      record({
        id,
        status: "AVAILABLE",
        createdAt: "2026-10-01T00:00:00.000Z",
        startedAt: "2026-10-01T00:00:00.000Z",
        completedAt: new Date(
          Date.parse("2026-10-01T00:00:00.000Z") + seconds * 1000,
        ).toISOString(),
      });
    const vendor = fakeProvider({
      create: async () => ({ ref, state: { status: "RUNNING", providerStatus: "IN_PROGRESS" } }),
    });
    const { tasks } = tasksWith(
      [record(), done("bk_a", 580), done("bk_b", 640), done("bk_c", 600)],
      vendor.provider,
    );

    await expect(tasks.startBackup({ backupId: "bk_1" })).resolves.toMatchObject({
      outcome: "RUNNING",
      expectedSeconds: 600,
      nextWaitSeconds: 600,
    });
  });

  it("settles AVAILABLE with its size, frees the cluster and re-plans its retention", async () => {
    const vendor = fakeProvider({
      status: async () => ({ status: "AVAILABLE", providerStatus: "SUCCESSFUL", sizeBytes: 1024 }),
    });
    const { tasks, backups, leaseCalls, events, replanned } = tasksWith(
      [creating()],
      vendor.provider,
    );

    await tasks.pollBackup({ backupId: "bk_1", waitSeconds: 15 });

    expect(await backups.get("bk_1")).toMatchObject({ status: "AVAILABLE", sizeBytes: 1024 });
    expect(events.map((e) => e.type)).toEqual(["backup.available"]);
    expect(leaseCalls).toEqual(["release zilliz:default:zilliz-main/in01-7b3f9c2e5a1d804 bk_1"]);
    expect(replanned).toEqual(["bk_1"]);
  });
});

describe("the failure paths", () => {
  it("keeps a backup AVAILABLE when a later step failed, and finishes what settling started", async () => {
    const { tasks, backups, events, replanned } = tasksWith(
      [creating({ status: "AVAILABLE" })],
      fakeProvider({}).provider,
    );

    await expect(
      tasks.recordFailure({ backupId: "bk_1", error: { Error: "States.Timeout" } }),
    ).resolves.toEqual({ status: "AVAILABLE" });

    expect((await backups.get("bk_1")).status).toBe("AVAILABLE");
    expect(replanned).toEqual(["bk_1"]);
    expect(events).toEqual([]);
  });

  it("refuses to start deleting a held backup", async () => {
    const { tasks } = tasksWith(
      [
        creating({
          status: "EXPIRING",
          hold: { reason: "audit", by: "ops", at: "2026-11-01T00:00:00.000Z" },
        }),
      ],
      fakeProvider({}).provider,
    );
    await expect(
      tasks.deleteProviderBackup({ backupId: "bk_1", reason: "retention" }),
    ).rejects.toThrow("is on hold: audit");
  });

  it("marks DELETING, deletes at the vendor and, confirmed at once, writes the tombstone", async () => {
    const vendor = fakeProvider({ delete: async () => ({ status: "DELETED" }) });
    const { tasks, backups, events, removed } = tasksWith(
      [creating({ status: "EXPIRING" })],
      vendor.provider,
    );
    await expect(
      tasks.deleteProviderBackup({ backupId: "bk_1", reason: "retention policy p" }),
    ).resolves.toEqual({ gone: true });
    expect(vendor.calls).toEqual(["delete backup-7f3a"]);
    expect(await backups.get("bk_1")).toMatchObject({
      status: "DELETED",
      deleteReason: "retention policy p",
    });
    expect(events.map((e) => e.type)).toEqual(["backup.deleted"]);
    expect(removed).toEqual(["bk_1"]);

    // A re-run (the step's answer was lost) asks the vendor nothing more and announces nothing twice.
    await expect(
      tasks.deleteProviderBackup({ backupId: "bk_1", reason: "retention policy p" }),
    ).resolves.toEqual({ gone: true });
    expect(vendor.calls).toEqual(["delete backup-7f3a"]);
    expect(events).toHaveLength(1);
    expect(removed).toEqual(["bk_1", "bk_1"]);
  });

  it("leaves a delete the vendor runs asynchronously DELETING, and a poll that sees it gone writes the tombstone", async () => {
    let gone = false;
    const vendor = fakeProvider({
      delete: async () => ({ status: "DELETING" }),
      status: async () =>
        gone
          ? { status: "DELETED", providerStatus: "NOT_FOUND" }
          : { status: "DELETING", providerStatus: "DELETING" },
    });
    const { tasks, backups, events } = tasksWith(
      [creating({ status: "EXPIRING" })],
      vendor.provider,
    );
    await expect(
      tasks.deleteProviderBackup({ backupId: "bk_1", reason: "retention policy p" }),
    ).resolves.toEqual({ gone: false, nextWaitSeconds: 60, expectedSeconds: 0 });
    expect((await backups.get("bk_1")).status).toBe("DELETING");
    expect(
      await tasks.pollDeletion({ backupId: "bk_1", waitSeconds: 60, expectedSeconds: 0 }),
    ).toMatchObject({ gone: false });
    gone = true;
    await expect(
      tasks.pollDeletion({ backupId: "bk_1", waitSeconds: 30, expectedSeconds: 0 }),
    ).resolves.toEqual({ gone: true });
    expect((await backups.get("bk_1")).status).toBe("DELETED");
    expect(events.map((e) => e.type)).toEqual(["backup.deleted"]);
  });

  it("counts a backup the vendor never had as deleted, without asking the vendor", async () => {
    const vendor = fakeProvider({});
    const { tasks } = tasksWith([record({ status: "DELETING" })], vendor.provider);
    await expect(
      tasks.deleteProviderBackup({ backupId: "bk_1", reason: "retention" }),
    ).resolves.toEqual({ gone: true });
    expect(vendor.calls).toEqual([]);
  });
});
