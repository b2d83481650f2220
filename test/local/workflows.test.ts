import { describe, expect, it } from "vitest";
import { TASKS, type TaskKey } from "../../lib/workflows/definitions.ts";
import { type LocalTaskHandler, LocalWorkflowStarter } from "../../local/workflows.ts";

describe("the local state machines at shutdown", () => {
  it("stop() returns only once the task invocation under way has returned", async () => {
    let entered!: () => void;
    const inTask = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let returned = false;
    const slow: LocalTaskHandler = async () => {
      entered();
      await new Promise((r) => setTimeout(r, 300));
      returned = true;
      return { acquired: true };
    };
    const handlers = Object.fromEntries(Object.keys(TASKS).map((key) => [key, slow])) as Record<
      TaskKey,
      LocalTaskHandler
    >;
    const outcomes: string[] = [];
    const starter = new LocalWorkflowStarter({
      handlers,
      onOutcome: (outcome) => outcomes.push(outcome.status),
    });

    await starter.start("create-backup", "bk_shutdown", { backupId: "bk_shutdown" });
    await inTask;
    await starter.stop();

    // The Lambda it called ran to its end (like a real one), but no state after it did.
    expect(returned).toBe(true);
    expect(outcomes).toEqual(["ABORTED"]);
    expect(starter.running).toBe(0);
  });
});
