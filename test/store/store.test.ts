import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BackupRecord } from "../../lib/core/backup.ts";
import {
  InvalidTransitionError,
  LeaseHeldError,
  NotFoundError,
  ValidationError,
} from "../../lib/core/errors.ts";
import type { Target } from "../../lib/core/target.ts";
import { BackupRepository } from "../../lib/store/backups.ts";
import { IdempotencyRepository } from "../../lib/store/idempotency.ts";
import { LeaseRepository } from "../../lib/store/leases.ts";
import { TargetRepository } from "../../lib/store/targets.ts";
import { manualClock } from "../support/clocks.ts";
import { ENGINES, type TestTable } from "../support/dynamo-engines.ts";

function backup(
  id: string,
  targetId: string,
  createdAt: string,
  status: BackupRecord["status"] = "PENDING",
): BackupRecord {
  return {
    id,
    targetId,
    provider: "zilliz",
    status,
    trigger: "api",
    createdAt,
    updatedAt: createdAt,
    deadlineAt: "2026-11-02T00:00:00.000Z",
    history: [],
    version: 0,
  };
}

describe.each(ENGINES)("store on $engine", ({ start }) => {
  let t: TestTable;
  const clock = manualClock();
  let backups: BackupRepository;
  let leases: LeaseRepository;
  let idempotency: IdempotencyRepository;
  let targets: TargetRepository;

  beforeAll(async () => {
    t = await start();
    const deps = { db: t.db, table: t.table, clock };
    backups = new BackupRepository(deps);
    leases = new LeaseRepository(deps);
    idempotency = new IdempotencyRepository(deps);
    targets = new TargetRepository(deps);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe("backups", () => {
    it("stores a record and reads it back by id", async () => {
      const record = backup("bk_a", "tg_1", "2026-11-01T00:00:00.000Z");
      await backups.create(record);
      expect(await backups.get("bk_a")).toEqual({
        ...record,
        history: [{ at: record.createdAt, status: "PENDING", cause: "requested (api)" }],
      });
    });

    it("refuses a second record with the same id", async () => {
      await expect(
        backups.create(backup("bk_a", "tg_1", "2026-11-01T00:00:00.000Z")),
      ).rejects.toThrow(/already exists/);
    });

    it("moves along allowed transitions and bumps the version", async () => {
      const creating = await backups.transition("bk_a", "CREATING", {
        providerBackupId: "backup0_x",
      });
      expect(creating.status).toBe("CREATING");
      expect(creating.providerBackupId).toBe("backup0_x");
      expect(creating.version).toBe(1);
      const available = await backups.transition("bk_a", "AVAILABLE", {
        sizeBytes: 1234,
        progress: null,
      });
      expect(available).toMatchObject({ status: "AVAILABLE", sizeBytes: 1234, version: 2 });
      expect(available.history.map((h) => [h.status, h.cause])).toEqual([
        ["PENDING", "requested (api)"],
        ["CREATING", "system"],
        ["AVAILABLE", "system"],
      ]);
    });

    it("refuses a duplicated or stale transition instead of moving backwards", async () => {
      await expect(backups.transition("bk_a", "CREATING")).rejects.toBeInstanceOf(
        InvalidTransitionError,
      );
      await expect(backups.transition("bk_a", "AVAILABLE")).rejects.toBeInstanceOf(
        InvalidTransitionError,
      );
      expect((await backups.get("bk_a")).version).toBe(2);
    });

    it("treats a repeated transition as done when asked to be idempotent", async () => {
      const again = await backups.transition("bk_a", "AVAILABLE", {}, { idempotent: true });
      expect(again.version).toBe(2);
    });

    it("refuses a transition the status machine forbids", async () => {
      await expect(backups.transition("bk_a", "FAILED")).rejects.toThrow(
        /cannot move from AVAILABLE to FAILED/,
      );
    });

    it("reports an unknown id as not found", async () => {
      await expect(backups.transition("bk_missing", "CREATING")).rejects.toBeInstanceOf(
        NotFoundError,
      );
      expect(await backups.find("bk_missing")).toBeUndefined();
    });

    it("lists a target's backups newest first, page by page", async () => {
      for (let i = 1; i <= 5; i++) {
        await backups.create(backup(`bk_t2_${i}`, "tg_2", `2026-11-0${i}T00:00:00.000Z`));
      }
      const first = await backups.list({ targetId: "tg_2", limit: 2 });
      expect(first.items.map((b) => b.id)).toEqual(["bk_t2_5", "bk_t2_4"]);
      const second = await backups.list({ targetId: "tg_2", limit: 2, cursor: first.nextCursor });
      expect(second.items.map((b) => b.id)).toEqual(["bk_t2_3", "bk_t2_2"]);
      const third = await backups.list({ targetId: "tg_2", limit: 2, cursor: second.nextCursor });
      expect(third.items.map((b) => b.id)).toEqual(["bk_t2_1"]);
    });

    it("lists by status, following the record as it moves", async () => {
      await backups.transition("bk_t2_3", "CREATING");
      const creating = await backups.list({ status: "CREATING" });
      expect(creating.items.map((b) => b.id)).toEqual(["bk_t2_3"]);
      const pendingOfTarget = await backups.list({ targetId: "tg_2", status: "PENDING" });
      expect(pendingOfTarget.items.map((b) => b.id)).toEqual([
        "bk_t2_5",
        "bk_t2_4",
        "bk_t2_2",
        "bk_t2_1",
      ]);
    });

    it("lists all backups newest first", async () => {
      const all = await backups.list({ limit: 3 });
      expect(all.items.map((b) => b.id)).toEqual(["bk_t2_5", "bk_t2_4", "bk_t2_3"]);
    });

    it("rejects a tampered cursor or one from another listing with a validation error", async () => {
      await expect(
        backups.list({ targetId: "tg_2", cursor: "not-a-cursor" }),
      ).rejects.toBeInstanceOf(ValidationError);
      const page = await backups.list({ targetId: "tg_2", limit: 1 });
      await expect(
        backups.list({ targetId: "tg_1", cursor: page.nextCursor }),
      ).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe("leases", () => {
    it("gives a free resource to the first holder and refuses a second", async () => {
      await leases.acquire("zilliz:c1", "bk_1", 60_000);
      await expect(leases.acquire("zilliz:c1", "bk_2", 60_000)).rejects.toBeInstanceOf(
        LeaseHeldError,
      );
      expect((await leases.find("zilliz:c1"))?.holder).toBe("bk_1");
    });

    it("lets the holder take its own lease again (a retried step)", async () => {
      const lease = await leases.acquire("zilliz:c1", "bk_1", 60_000);
      expect(lease.holder).toBe("bk_1");
    });

    it("hands an expired lease to a new holder, so a crash cannot wedge the resource", async () => {
      clock.advance(61_000);
      const lease = await leases.acquire("zilliz:c1", "bk_2", 60_000);
      expect(lease.holder).toBe("bk_2");
    });

    it("releases only for the holder, and releasing twice is harmless", async () => {
      await leases.release("zilliz:c1", "bk_1");
      expect((await leases.find("zilliz:c1"))?.holder).toBe("bk_2");
      await leases.release("zilliz:c1", "bk_2");
      await leases.release("zilliz:c1", "bk_2");
      expect(await leases.find("zilliz:c1")).toBeUndefined();
    });
  });

  describe("idempotency", () => {
    it("reserves a new key and returns the first entry on reuse", async () => {
      expect(await idempotency.reserve("create-backup", "k1", "hash-a", "bk_x")).toBeUndefined();
      const again = await idempotency.reserve("create-backup", "k1", "hash-b", "bk_y");
      expect(again).toMatchObject({ requestHash: "hash-a", resultId: "bk_x" });
    });

    it("frees a key when its request gave up", async () => {
      await idempotency.release("create-backup", "k1", "bk_x");
      expect(await idempotency.reserve("create-backup", "k1", "hash-c", "bk_z")).toBeUndefined();
    });
  });

  describe("targets", () => {
    const target: Target = {
      id: "orders",
      name: "Orders cluster",
      provider: "zilliz",
      resource: { clusterId: "in01-abc", scope: { type: "CLUSTER" } },
      secretRef: "warden/zilliz",
      tags: { env: "prod" },
      completionWindowMinutes: 360,
      createdAt: "2026-11-01T00:00:00.000Z",
      updatedAt: "2026-11-01T00:00:00.000Z",
      version: 0,
    };

    it("stores, reads and lists targets", async () => {
      await targets.create(target);
      await targets.create({ ...target, id: "search", createdAt: "2026-11-02T00:00:00.000Z" });
      expect(await targets.get("orders")).toEqual(target);
      expect((await targets.list()).items.map((x) => x.id)).toEqual(["search", "orders"]);
    });

    it("refuses a duplicate id with a conflict", async () => {
      await expect(targets.create(target)).rejects.toThrow(/already exists/);
    });
  });
});
