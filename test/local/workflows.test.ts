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

describe("the local state machines under load", () => {
  it("refuses an invocation that finds no free slot as Lambda does, and never runs it later", async () => {
    const calls: string[] = [];
    const errors: string[] = [];
    const slow: LocalTaskHandler = async (event) => {
      calls.push((event as { backupId: string }).backupId);
      await new Promise((r) => setTimeout(r, 150));
      return { acquired: true };
    };
    const handlers = Object.fromEntries(Object.keys(TASKS).map((key) => [key, slow])) as Record<
      TaskKey,
      LocalTaskHandler
    >;
    const starter = new LocalWorkflowStarter({
      handlers,
      taskConcurrency: 1,
      slotWaitMs: 30,
      // The retry after the refusal comes long after this test has looked.
      retryOverrideMs: 60_000,
      onOutcome: (o) => errors.push(o.error ?? ""),
    });
    await starter.start("create-backup", "bk_first", { backupId: "bk_first" });
    await starter.start("create-backup", "bk_second", { backupId: "bk_second" });
    await new Promise((r) => setTimeout(r, 400));
    // The second found the only slot busy for 30 ms: refused (and to be retried by its
    // Retry, Lambda.TooManyRequestsException being one of Lambda's own errors), not run
    // once the slot freed at 150 ms, and not timed out.
    expect(calls).toEqual(["bk_first"]);
    await starter.stop();
    expect(errors.filter((e) => e.includes("Timeout"))).toEqual([]);
  });
});
