// What following a vendor job costs: the deployed ASL (lib/workflows/definitions.ts), run by
// aws-local-stepfunctions with the real poll plan (lib/workflows/poll-plan.ts), against a
// job of 1, 10 and 60 minutes on a virtual clock — every Wait is skipped and its seconds
// added to the clock. The contract lines are for a target with a history whose median is
// 10 % shorter than this job (an unkind case: the first look is early); further lines show
// a vendor reporting linear progress, and a first backup with nothing known. Counts state transitions (StateEntered events, what Step Functions bills) and the
// detection latency (from the vendor's completion to the poll that sees it), and prices
// create+delete at $0.025 per 1,000 transitions. Goals (issue "5 of 7", item 4): ≤ 12
// transitions for a 10-minute backup, ≤ 18 for create+delete, latency ≤ max(30 s, 10 %).
import { StateMachine } from "aws-local-stepfunctions";
import { DELETION_PLAN } from "../lib/usecases/backup-tasks.ts";
import {
  createBackupDefinition,
  deleteBackupDefinition,
  taskStates,
} from "../lib/workflows/definitions.ts";
import { nextPollSeconds } from "../lib/workflows/poll-plan.ts";
import { localTaskArns } from "../local/workflows.ts";

/** How long the vendor takes to finish a delete in this model (Zilliz: seconds to a minute). */
const DELETE_SECONDS = 60;
const PRICE_PER_TRANSITION = 0.025 / 1000;

type Task = (input: { waitSeconds?: number }) => Promise<unknown>;

/** Runs one definition to its end; returns how many states it entered. */
async function run(
  definition: ReturnType<typeof createBackupDefinition>,
  tasks: Record<string, Task>,
): Promise<number> {
  const arns = localTaskArns();
  const overrides: Record<string, Task> = {};
  for (const [state, key] of Object.entries(taskStates(definition, arns))) {
    // The failure paths are not part of the model: reaching one is the bench's bug.
    overrides[state] =
      tasks[key] ??
      (async () => {
        throw new Error(`polling bench: the model never fails, yet ${key} ran`);
      });
  }
  const waits = Object.fromEntries(
    Object.entries(definition.States)
      .filter(([, s]) => s.Type === "Wait")
      .map(([name]) => [name, 0]),
  );
  const machine = new StateMachine(definition as never);
  const execution = machine.run({ backupId: "bk_bench", reason: "bench" } as never, {
    context: { Execution: { Name: "bench", Id: "bench", StartTime: new Date(0).toISOString() } },
    overrides: { taskResourceLocalHandlers: overrides as never, waitTimeOverrides: waits },
  });
  let entered = 0;
  const counting = (async () => {
    for await (const event of execution.eventLogs) if (event.type === "StateEntered") entered++;
  })();
  await execution.result;
  await counting;
  return entered;
}

/** What the steps know of the job. */
type Knowledge = "history" | "progress" | "nothing";

/** Follows a job of `jobSeconds` with the create-backup workflow. */
async function create(
  jobSeconds: number,
  knows: Knowledge,
): Promise<{ transitions: number; latency: number }> {
  let clock = 0;
  let detectedAt = Number.NaN;
  const expectedSeconds = knows === "history" ? Math.round(jobSeconds * 0.9) : 0;
  const look = (previousWaitSeconds?: number) =>
    nextPollSeconds({
      elapsedSeconds: clock,
      ...(expectedSeconds > 0 ? { expectedSeconds } : {}),
      ...(knows === "progress" && clock > 0 ? { progress: (100 * clock) / jobSeconds } : {}),
      ...(previousWaitSeconds === undefined ? {} : { previousWaitSeconds }),
    });
  const transitions = await run(createBackupDefinition(localTaskArns()), {
    startBackup: async () => ({
      providerBackupId: "backup0",
      outcome: "RUNNING",
      nextWaitSeconds: look(),
      expectedSeconds,
    }),
    // The wait just done is the poll's input: that is how far the clock moved.
    pollBackup: async ({ waitSeconds = 0 }) => {
      clock += waitSeconds;
      if (clock < jobSeconds)
        return { outcome: "RUNNING", nextWaitSeconds: look(waitSeconds), expectedSeconds };
      detectedAt = clock;
      return { outcome: "AVAILABLE" };
    },
  });
  return { transitions, latency: detectedAt - jobSeconds };
}

/** Deletes a backup whose vendor delete takes {@link DELETE_SECONDS}. */
async function remove(): Promise<number> {
  let clock = 0;
  return run(deleteBackupDefinition(localTaskArns()) as never, {
    deleteProviderBackup: async () => ({
      gone: false,
      nextWaitSeconds: nextPollSeconds({ elapsedSeconds: 0, ...DELETION_PLAN }),
      expectedSeconds: 0,
    }),
    pollDeletion: async ({ waitSeconds = 0 }) => {
      clock += waitSeconds;
      return clock < DELETE_SECONDS
        ? {
            gone: false,
            nextWaitSeconds: nextPollSeconds({
              elapsedSeconds: clock,
              previousWaitSeconds: waitSeconds,
              ...DELETION_PLAN,
            }),
            expectedSeconds: 0,
          }
        : { gone: true };
    },
  });
}

// The output contract (scripts read these lines; keep them exactly so), then the verdicts.
const results = new Map<number, { transitions: number; latency: number }>();
for (const minutes of [1, 10, 60]) {
  const r = await create(minutes * 60, "history");
  results.set(minutes, r);
  console.log(
    `polling: ${minutes}-minute job, ${r.transitions} transitions, ${r.latency.toFixed(0)} s detection latency`,
  );
}
const ten = results.get(10)!;
const both = ten.transitions + (await remove());
console.log(`polling: 10-minute job create+delete, ${both} transitions`);
console.log(
  `polling: Step Functions cost per 1,000 backups (10-minute job, create+delete): $${(both * 1000 * PRICE_PER_TRANSITION).toFixed(2)} at $0.025 per 1,000 transitions`,
);
for (const knows of ["progress", "nothing"] as const) {
  const lines = [];
  for (const minutes of [1, 10, 60]) {
    const r = await create(minutes * 60, knows);
    lines.push(`${minutes} min ${r.transitions} transitions, ${r.latency.toFixed(0)} s late`);
  }
  const what = knows === "progress" ? "vendor progress only" : "a first backup, nothing known";
  console.log(`polling: with ${what}: ${lines.join("; ")}`);
}
const verdict = (ok: boolean) => (ok ? "ok" : "OVER");
const latencies = [...results].map(([minutes, r]) => {
  const goal = Math.max(30, minutes * 6);
  return `${minutes} min ${r.latency.toFixed(0)}/${goal} s ${verdict(r.latency <= goal)}`;
});
console.log(
  `polling: goals — 10-minute create ≤ 12 transitions: ${verdict(ten.transitions <= 12)}; create+delete ≤ 18: ${verdict(both <= 18)}; detection latency ≤ max(30 s, 10 %): ${latencies.join(", ")}`,
);
