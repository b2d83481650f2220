import { describe, expect, it } from "vitest";
import { useLocalStack } from "../support/use-local-stack.ts";
import { envOf, warden } from "./cli-harness.ts";

describe("warden backup cancel", () => {
  // Jobs long enough to be cancelled while they run.
  const env: Record<string, string> = {};
  useLocalStack({ WARDEN_SANDBOX_JOB_SECONDS: "30" }, async (started) => {
    Object.assign(env, envOf(started.runtime));
  });

  it("cancels a running backup, and refuses one that is already settled with exit 3", async () => {
    const created = await warden(["backup", "create", "demo-pinecone", "--quiet"], { env });
    const id = created.stdout.trim();

    const cancelled = await warden(["backup", "cancel", id], { env });
    const again = await warden(["backup", "cancel", id, "--json"], { env });
    const rm = await warden(["backup", "rm", id], { env });

    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toBe(`FAILED  ${id}  cancelled by local token\n`);
    expect(JSON.parse(again.stdout)).toMatchObject({
      status: "FAILED",
      lastError: { code: "CANCELLED" },
    });
    // A cancelled backup is an ordinary failed attempt: it can be deleted like one.
    expect(rm.code).toBe(0);
    const settled = await warden(["backup", "cancel", id], { env });
    expect(settled.code).toBe(3);
    expect(settled.stderr).toMatch(
      /only a backup still being made \(PENDING or CREATING\) can be cancelled/,
    );
  });
});
