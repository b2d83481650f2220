import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { useHarness } from "../support/use-harness.ts";

describe("an Idempotency-Key whose first request died", () => {
  const h = useHarness({}, (h) => h.zillizTarget("orders"));

  it("answers 409 while it may still be in flight, and is taken over once it is evidently dead", async () => {
    // The dead request reserved the key for a backup it never created.
    const hash = createHash("sha256").update(JSON.stringify({})).digest("hex");
    await h.container.idempotency.reserve(
      "create-backup#orders",
      "nightly-1",
      hash,
      "bk_never_created",
    );
    const headers = { "idempotency-key": "nightly-1" };
    expect((await h.call("POST", "/v1/targets/orders/backups", { headers })).status).toBe(409);

    h.clock.advance(3 * 60_000);
    const retried = await h.call("POST", "/v1/targets/orders/backups", { headers });

    expect(retried.status).toBe(202);
    expect(retried.json.id).not.toBe("bk_never_created");
    const again = await h.call("POST", "/v1/targets/orders/backups", { headers });
    expect(again.json.id).toBe(retried.json.id);
    await h.starter.idle();
  });
});
