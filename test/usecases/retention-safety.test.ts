import { describe, expect, it } from "vitest";
import {
  fireExpiryMarkers,
  onSecondCluster,
  scheduledBackup,
  useHarness,
} from "../support/use-harness.ts";

/*
 * Retention does exactly what it says (issue "4 of 7", items 13-15, and 8): an expiry
 * that passes under a guard is acted on as soon as the guard lifts, backups carry tags so
 * the `tags` rule means something, a policy keeps at least N good backups and deletes
 * nothing while its latest scheduled backup failed, and lifting a hold is audited.
 */

const MINUTE = 60_000;

describe("retention safety", () => {
  const h = useHarness({}, async (h) => {
    await h.zillizTarget("orders");
    await h.zillizTarget("search", onSecondCluster(h));
  });

  const record = (id: string) => h.container.backups.get(id);
  const status = async (id: string) => (await record(id)).status;

  async function putPolicy(id: string, spec: Record<string, unknown>) {
    const body = {
      name: id,
      schedule: { expression: "rate(1 minute)" },
      targets: { ids: ["orders"] },
      ...spec,
    };
    const existing = await h.call("GET", `/v1/policies/${id}`);
    return existing.status === 200
      ? h.call("PUT", `/v1/policies/${id}`, { body })
      : h.call("POST", "/v1/policies", { body: { id, ...body } });
  }

  async function policy(id: string, spec: Record<string, unknown>) {
    const r = await putPolicy(id, spec);
    if (r.status !== 200 && r.status !== 201) throw new Error(`policy ${id}: ${r.body}`);
  }

  async function apiBackup(target: string, body: Record<string, unknown> = {}) {
    const r = await h.call("POST", `/v1/targets/${target}/backups`, { body });
    if (r.status !== 202) throw new Error(`backup of ${target}: ${r.status} ${r.body}`);
    await h.starter.idle();
    return r.json.id as string;
  }

  describe("an expiry that passes under a guard is not forgotten", () => {
    it("expires the backup the newest-available guard kept, once a newer one lands", async () => {
      const soon = new Date(h.clock.now().getTime() + MINUTE).toISOString();
      const doomed = await apiBackup("search", { expiresAt: soon });
      h.clock.advance(2 * MINUTE);
      await fireExpiryMarkers(h);
      expect(await status(doomed)).toBe("AVAILABLE");

      // No sweep, no clock moving on: the newer backup's landing is enough.
      await apiBackup("search");

      expect(await status(doomed)).toBe("DELETED");
    });

    it("expires a held backup past its expiry as soon as the hold is lifted", async () => {
      await apiBackup("search");
      const soon = new Date(h.clock.now().getTime() + MINUTE).toISOString();
      const held = await apiBackup("search", { expiresAt: soon });
      await h.call("PUT", `/v1/backups/${held}/hold`, { body: { reason: "audit 7" } });
      await apiBackup("search");
      h.clock.advance(2 * MINUTE);
      await fireExpiryMarkers(h);
      expect(await status(held)).toBe("AVAILABLE");

      const lifted = await h.call("DELETE", `/v1/backups/${held}/hold`);
      await h.starter.idle();

      expect(lifted.status).toBe(200);
      expect(await status(held)).toBe("DELETED");
    });

    it("lets the sweeper find a backup past its own expiry that no marker speaks for", async () => {
      const soon = new Date(h.clock.now().getTime() + MINUTE).toISOString();
      const forgotten = await apiBackup("search", { expiresAt: soon });
      await apiBackup("search");
      await h.container.expiry.remove(forgotten);
      h.clock.advance(2 * MINUTE);

      const summary = await h.container.sweeper.sweep();
      await h.starter.idle();

      expect(summary.expired).toBe(1);
      expect(await status(forgotten)).toBe("DELETED");
    });
  });

  describe("lifting a legal hold", () => {
    it("is recorded with who and when, with the hold it lifted, and announced", async () => {
      const id = await apiBackup("search");
      await h.call("PUT", `/v1/backups/${id}/hold`, { body: { reason: "litigation 42" } });

      await h.call("DELETE", `/v1/backups/${id}/hold`);

      const history = (await record(id)).history.map((e) => e.cause);
      expect(history).toContain("legal hold placed by test operator: litigation 42");
      expect(history.at(-1)).toMatch(
        /^legal hold lifted by test operator \(placed by test operator on \S+: litigation 42\)$/,
      );
      await h.functions.outbox.settled();
      const announced = h.events.filter(
        (e) => e.type === "backup.hold_lifted" && e.detail.backupId === id,
      );
      expect(announced).toHaveLength(1);
      expect(announced[0]!.detail).toMatchObject({
        liftedBy: "test operator",
        hold: { reason: "litigation 42", by: "test operator" },
      });
    });
  });

  describe("backups carry tags", () => {
    it("keeps, by the policy's tags rule, a tagged backup the request made its own", async () => {
      await policy("tagged", { retention: { last: 1, tags: [["release"]] } });
      const release = await apiBackup("orders", { tags: ["release", "v2"], policyId: "tagged" });
      const a = await scheduledBackup(h, "tagged");
      const b = await scheduledBackup(h, "tagged");

      expect(await record(release)).toMatchObject({ status: "AVAILABLE", tags: ["release", "v2"] });
      expect((await record(release)).keepReasons).toEqual(["has tags [release]"]);
      expect(await status(a)).toBe("DELETED");
      expect(await status(b)).toBe("AVAILABLE");
      await h.call("DELETE", "/v1/policies/tagged");
    });

    it("tags what a policy makes with its backupTags", async () => {
      await policy("nightly-tags", { retention: { last: 5 }, backupTags: ["nightly"] });
      const id = await scheduledBackup(h, "nightly-tags");

      expect((await record(id)).tags).toEqual(["nightly"]);
      await h.call("DELETE", "/v1/policies/nightly-tags");
    });

    it("refuses a backup joining a policy that does not cover its target", async () => {
      await policy("orders-only", { retention: { last: 5 } });
      const r = await h.call("POST", "/v1/targets/search/backups", {
        body: { policyId: "orders-only" },
      });

      expect(r.status).toBe(422);
      expect(r.json.errors).toEqual([
        { path: "policyId", message: "policy orders-only does not cover target search" },
      ]);
      await h.call("DELETE", "/v1/policies/orders-only");
    });

    it("refuses a policy whose only rule is tags that none of its own backups carry", async () => {
      const r = await putPolicy("tags-only", { retention: { tags: [["release"]] } });

      expect(r.status).toBe(422);
      expect(r.json.errors[0].path).toBe("retention.tags");
      expect(r.json.errors[0].message).toMatch(/it would remove all of them/);
      const ok = await putPolicy("tags-only", {
        retention: { tags: [["release"]] },
        backupTags: ["release"],
      });
      expect(ok.status).toBe(201);
      await h.call("DELETE", "/v1/policies/tags-only");
    });

    it("refuses an empty selector, and takes all targets only when asked for", async () => {
      const empty = await putPolicy("everything", {
        retention: { last: 3 },
        targets: { selector: {} },
      });
      expect(empty.status).toBe(400);
      expect(JSON.stringify(empty.json.errors)).toContain('say { \\"all\\": true } for that');

      const all = await putPolicy("everything", { retention: { last: 3 }, targets: { all: true } });
      expect(all.status).toBe(201);
      const plan = await h.call("GET", "/v1/policies/everything/retention-plan");
      expect(plan.json.targets.map((t: { targetId: string }) => t.targetId).sort()).toEqual([
        "orders",
        "search",
      ]);
      await h.call("DELETE", "/v1/policies/everything");
    });
  });

  describe("keep at least N good backups", () => {
    it("never leaves a target with fewer than keepAtLeast AVAILABLE backups", async () => {
      await h.zillizTarget("ledger", onSecondCluster(h));
      await policy("three", {
        retention: { last: 1 },
        keepAtLeast: 3,
        targets: { ids: ["ledger"] },
      });
      const ids = [];
      for (let i = 0; i < 4; i++) ids.push(await scheduledBackup(h, "three"));

      expect(await Promise.all(ids.map(status))).toEqual([
        "DELETED",
        "AVAILABLE",
        "AVAILABLE",
        "AVAILABLE",
      ]);
      const plan = await h.call("GET", "/v1/policies/three/retention-plan");
      expect(plan.json.targets[0].guarded.map((g: { detail: string }) => g.detail)).toEqual([
        "one of the 3 newest available backups of the target (keepAtLeast 3)",
        "one of the 3 newest available backups of the target (keepAtLeast 3)",
      ]);
      await h.call("DELETE", "/v1/policies/three");
    });

    it("deletes nothing while the latest scheduled backup FAILED, and says so", async () => {
      await h.zillizTarget("billing", onSecondCluster(h));
      await policy("fragile", { retention: { last: 1 }, targets: { ids: ["billing"] } });
      const first = await scheduledBackup(h, "fragile");
      await policy("fragile", { retention: { last: 5 }, targets: { ids: ["billing"] } });
      const second = await scheduledBackup(h, "fragile");
      h.sim.faults.add({ kind: "fail-next-job", reason: "insufficient storage quota" });
      const failed = await scheduledBackup(h, "fragile");
      expect(await status(failed)).toBe("FAILED");

      await policy("fragile", { retention: { last: 1 }, targets: { ids: ["billing"] } });
      await h.container.sweeper.sweep();
      await h.starter.idle();

      expect([await status(first), await status(second)]).toEqual(["AVAILABLE", "AVAILABLE"]);
      const plan = (await h.call("GET", "/v1/policies/fragile/retention-plan")).json.targets[0];
      expect(plan.remove).toEqual([]);
      expect(plan.suspended).toBe(
        `the latest scheduled backup ${failed} FAILED: nothing is removed until a good one lands`,
      );

      const good = await scheduledBackup(h, "fragile");

      expect(await status(good)).toBe("AVAILABLE");
      expect([await status(first), await status(second)]).toEqual(["DELETED", "DELETED"]);
      await h.call("DELETE", "/v1/policies/fragile");
    });
  });
});
