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
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const holding: LocalTaskHandler = async (event) => {
      calls.push((event as { backupId: string }).backupId);
      await held;
      return { acquired: true };
    };
    const handlers = Object.fromEntries(Object.keys(TASKS).map((key) => [key, holding])) as Record<
      TaskKey,
      LocalTaskHandler
    >;
    let refused!: () => void;
    const wasRefused = new Promise<void>((resolve) => {
      refused = resolve;
    });
    const starter = new LocalWorkflowStarter({
      handlers,
      taskConcurrency: 1,
      slotWaitMs: 30,
      // The retry after the refusal comes long after this test has looked.
      retryOverrideMs: 60_000,
      onTaskRefused: (execution) => {
        if (execution === "bk_second") refused();
      },
      onOutcome: (o) => errors.push(o.error ?? ""),
    });
    await starter.start("create-backup", "bk_first", { backupId: "bk_first" });
    while (calls.length === 0) await new Promise((r) => setTimeout(r, 5));
    await starter.start("create-backup", "bk_second", { backupId: "bk_second" });
    // The second finds the only slot held: refused (to be retried by its Retry,
    // Lambda.TooManyRequestsException being one of Lambda's own errors) ...
    await wasRefused;
    release();
    await new Promise((r) => setTimeout(r, 200));
    // ... and not run once the slot is free, nor timed out.
    expect(calls).toEqual(["bk_first"]);
    await starter.stop();
    expect(errors.filter((e) => e.includes("Timeout"))).toEqual([]);
  });
});

describe("a task refused for want of a slot", () => {
  it("is retried by its state's Retry and runs, instead of failing the backup", async () => {
    const calls: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const handlers = Object.fromEntries(
      Object.keys(TASKS).map((key) => [
        key,
        (async (event) => {
          calls.push(`${key}:${(event as { backupId: string }).backupId}`);
          if (key === "startBackup") await held;
          return { acquired: true };
        }) as LocalTaskHandler,
      ]),
    ) as Record<TaskKey, LocalTaskHandler>;
    let refusals = 0;
    const starter = new LocalWorkflowStarter({
      handlers,
      taskConcurrency: 1,
      slotWaitMs: 30,
      retryOverrideMs: 20,
      onTaskRefused: () => {
        refusals++;
        // The slot frees after the second one was turned away once.
        if (refusals === 1) release();
      },
    });
    await starter.start("create-backup", "bk_first", { backupId: "bk_first" });
    while (calls.length === 0) await new Promise((r) => setTimeout(r, 5));
    await starter.start("create-backup", "bk_second", { backupId: "bk_second" });
    for (let i = 0; i < 100 && !calls.includes("startBackup:bk_second"); i++)
      await new Promise((r) => setTimeout(r, 20));
    await starter.stop();
    expect(refusals).toBeGreaterThanOrEqual(1);
    expect(calls).toContain("startBackup:bk_second");
    expect(calls.filter((c) => c.startsWith("recordFailure:"))).toEqual([]);
  });
});
