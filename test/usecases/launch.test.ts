import { describe, expect, it } from "vitest";
import { resourceKey } from "../../lib/core/target.ts";
import { launchBackup } from "../../lib/usecases/launch.ts";
import { useHarness } from "../support/use-harness.ts";

describe("launching a backup", () => {
  // No starter.stop() of its own: closing the harness stops the workflows before anything
  // else, the one still waiting on its 60-second vendor job included.
  const h = useHarness({ jobDurationMs: 60_000 }, (h) =>
    h.zillizTarget("orders", { completionWindowMinutes: 120 }),
  );

  it("never shortens the lease of a backup that is already running when its id is launched again", async () => {
    const first = await h.call("POST", "/v1/targets/orders/backups");
    for (let i = 0; i < 100; i++) {
      if ((await h.call("GET", `/v1/backups/${first.json.id}`)).json.status === "CREATING") break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const target = await h.container.targets.get("orders");
    const before = await h.container.leases.find(resourceKey(target));

    // A crashed tick's run is re-driven with the same backup id.
    await launchBackup(
      {
        backups: h.container.backups,
        leases: h.container.leases,
        workflows: h.starter,
        clock: h.clock,
      },
      target,
      { backupId: first.json.id, trigger: "schedule" },
    );

    expect((await h.container.leases.find(resourceKey(target)))?.expiresAtMs).toBe(
      before?.expiresAtMs,
    );
    h.clock.advance(3 * 60_000);
    expect((await h.call("POST", "/v1/targets/orders/backups")).status).toBe(409);
  });
});
