import { describe, expect, it } from "vitest";
import { TASKS, taskStates, WORKFLOWS } from "../../lib/workflows/definitions.ts";
import { aslErrors } from "../../lib/workflows/validate.ts";
import { localTaskArns } from "../../local/workflows.ts";

describe("workflow definitions", () => {
  const arns = localTaskArns();

  it.each(Object.keys(WORKFLOWS))("%s is valid Amazon States Language", (name) => {
    const definition = WORKFLOWS[name as keyof typeof WORKFLOWS](arns);
    expect(aslErrors(definition)).toBe("");
  });

  it("the validator does reject a broken definition", () => {
    const broken = WORKFLOWS["create-backup"](arns) as { States: Record<string, unknown> };
    broken.States.PollBackup = { Type: "Task", Next: "Nowhere" };
    expect(aslErrors(broken)).not.toBe("");
  });

  it("uses every task exactly where it is meant to, and only known tasks", () => {
    const used = new Set<string>();
    for (const make of Object.values(WORKFLOWS))
      for (const key of Object.values(taskStates(make(arns), arns))) used.add(key);
    expect([...used].sort()).toEqual(Object.keys(TASKS).sort());
  });

  it("retries throttling and 5xx with jittered backoff and catches everything else into the failure path", () => {
    const create = WORKFLOWS["create-backup"](arns) as unknown as {
      States: Record<
        string,
        { Retry?: { ErrorEquals: string[]; JitterStrategy?: string }[]; Catch?: { Next: string }[] }
      >;
    };
    const start = create.States.StartProviderBackup!;
    // Throttling first, each on its own long ladder: Lambda out of concurrency (the task
    // never ran), then the vendor's budget (a fleet waits its turn).
    const [lambda, throttle] = start.Retry ?? [];
    expect(lambda?.ErrorEquals).toEqual(["Lambda.TooManyRequestsException"]);
    expect(throttle?.ErrorEquals).toEqual(["ProviderThrottled"]);
    expect(throttle?.JitterStrategy).toBe("FULL");
    expect(lambda?.JitterStrategy).toBe("FULL");
    const vendorRetry = start.Retry?.find((r) => r.ErrorEquals.includes("ProviderTransient"));
    expect(vendorRetry?.JitterStrategy).toBe("FULL");
    expect(start.Catch?.[0]?.Next).toBe("RecordFailure");
    // Recording the failure waits Lambda's refusals out too, then retries anything.
    const record = create.States.RecordFailure!;
    expect(record.Retry?.map((r) => r.ErrorEquals)).toEqual([
      ["Lambda.TooManyRequestsException"],
      ["States.ALL"],
    ]);
  });

  it("has no Pass state: every state a poll passes through does work or decides", () => {
    for (const make of Object.values(WORKFLOWS)) {
      const states = Object.values(make(arns).States) as { Type: string }[];
      expect(states.filter((s) => s.Type === "Pass")).toEqual([]);
    }
  });
});

describe("create-backup's failure path", () => {
  it("ends in success when the record was already AVAILABLE, and in failure otherwise", async () => {
    const { StateMachine } = await import("aws-local-stepfunctions");
    const arns = localTaskArns();
    const definition = WORKFLOWS["create-backup"](arns);
    const run = async (status: string) => {
      const machine = new StateMachine(definition as never);
      const handlers: Record<string, () => unknown> = {
        StartProviderBackup: () => {
          throw Object.assign(new Error("boom"), { name: "ProviderUnknown" });
        },
        RecordFailure: () => ({ status }),
      };
      return machine.run(
        { backupId: "bk_x" },
        {
          overrides: { taskResourceLocalHandlers: handlers as never },
          context: { Execution: { Name: "create-backup-bk_x" } },
        },
      ).result;
    };
    await expect(run("AVAILABLE")).resolves.toBeDefined();
    await expect(run("FAILED")).rejects.toThrow();
  });
});
