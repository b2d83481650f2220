import { StateMachine } from "aws-local-stepfunctions";
import pLimit from "p-limit";
import {
  TASKS,
  type TaskArns,
  type TaskKey,
  taskStates,
  WORKFLOWS,
  type WorkflowName,
} from "../lib/workflows/definitions.ts";
import type { WorkflowStarter } from "../lib/workflows/starter.ts";
import { lambdaContext } from "./lambda-context.ts";

/**
 * Task invocations running at once in this process, as Lambda's concurrency limit bounds
 * them on AWS (its default per account is 1,000; here all share one thread, so fewer by
 * default). An invocation asleep holds its slot, as a sleeping Lambda holds its
 * concurrency. The fleet bench runs with Lambda's 1,000 ({@link LAMBDA_ACCOUNT_CONCURRENCY}):
 * at 256 its 10,000 starts queued for slots — 40 a second back for their budget slot, each
 * asleep up to four seconds before it — until 4,229 came back after their slot's window
 * and lost it (63 % of the budget used; 95 % at 1,000).
 */
export const LOCAL_TASK_CONCURRENCY = 256;

/** Lambda's default concurrency per account and region, for a run that models AWS's. */
export const LAMBDA_ACCOUNT_CONCURRENCY = 1_000;

/**
 * How long an invocation waits for one of those slots before it fails as Lambda fails a
 * call past its concurrency, `Lambda.TooManyRequestsException` (which every task retries).
 * Without it, a queued invocation spent its task's `TimeoutSeconds` in line — the state's
 * clock runs from the state's start — and ended `States.Timeout` while its body later ran
 * anyway: the 10,000-target bench lost 9,462 records to that, 8,052 of them with a vendor
 * backup made after the record was FAILED.
 */
export const LOCAL_SLOT_WAIT_MS = 10_000;

/** A Lambda-style handler: (event, context) → result. */
export type LocalTaskHandler = (event: unknown, context: never) => Promise<unknown>;

/** Local ARNs for the task functions (valid ARN syntax; never called). */
export function localTaskArns(): TaskArns {
  const arns = {} as TaskArns;
  for (const [key, name] of Object.entries(TASKS)) {
    arns[key as TaskKey] = `arn:aws:lambda:us-east-1:000000000000:function:warden-local-${name}`;
  }
  return arns;
}

/** How an execution ended, for logs and tests. */
export interface ExecutionOutcome {
  workflow: WorkflowName;
  name: string;
  status: "SUCCEEDED" | "FAILED" | "ABORTED";
  error?: string;
}

export interface LocalWorkflowOptions {
  handlers: Record<TaskKey, LocalTaskHandler>;
  /**
   * Replace every poll's Wait (ms): fast demos and instant tests. A deferred start's wait
   * for its rate-budget slot is never replaced.
   */
  waitOverrideMs?: number;
  /** Replace every Retry pause (ms): instant tests. */
  retryOverrideMs?: number;
  /** How long an invocation waits for a slot (default {@link LOCAL_SLOT_WAIT_MS}). */
  slotWaitMs?: number;
  /** Told of each invocation refused for want of a slot (its execution retries it). */
  onTaskRefused?: (execution: string, task: TaskKey) => void;
  /** Task invocations running at once (default {@link LOCAL_TASK_CONCURRENCY}). */
  taskConcurrency?: number;
  onOutcome?: (outcome: ExecutionOutcome) => void;
}

/**
 * Runs the same ASL the stacks deploy under aws-local-stepfunctions, with each Task state
 * calling the same handler Lambda would. Execution names are deduplicated like Step
 * Functions does: a name that ran in this process is not started again.
 */
export class LocalWorkflowStarter implements WorkflowStarter {
  readonly #options: LocalWorkflowOptions;
  readonly #arns = localTaskArns();
  readonly #seen = new Set<string>();
  readonly #running = new Map<string, { abort: () => void; done: Promise<void> }>();
  /** Task invocations under way: aborting an execution does not stop the Lambda it called. */
  readonly #invocations = new Set<Promise<unknown>>();
  readonly #limit: ReturnType<typeof pLimit>;
  readonly #machines = new Map<
    WorkflowName,
    { definition: ReturnType<(typeof WORKFLOWS)[WorkflowName]>; machine: StateMachine }
  >();
  /**
   * Bumped by stop() and abandon(): an invocation still queued for a slot when its runtime
   * stopped never runs (a killed process's queue dies with it; only what was under way
   * carries on, as documented below).
   */
  #generation = 0;

  constructor(options: LocalWorkflowOptions) {
    this.#options = options;
    this.#limit = pLimit(options.taskConcurrency ?? LOCAL_TASK_CONCURRENCY);
  }

  /**
   * Each workflow's machine, built (and its ASL validated) once: a StateMachine runs any
   * number of executions, and its constructor's validation (ajv compiling the ASL schema)
   * took over half the CPU of the 1,000-target fleet bench when it ran per execution.
   */
  #machineOf(workflow: WorkflowName) {
    let built = this.#machines.get(workflow);
    if (!built) {
      const definition = WORKFLOWS[workflow](this.#arns);
      built = { definition, machine: new StateMachine(definition as never) };
      this.#machines.set(workflow, built);
    }
    return built;
  }

  async start(workflow: WorkflowName, name: string, input: Record<string, unknown>) {
    if (this.#seen.has(name)) return { started: false };
    this.#seen.add(name);
    const { definition, machine } = this.#machineOf(workflow);
    const overrides: Record<string, (input: unknown) => Promise<unknown>> = {};
    const waits: Record<string, number> = {};
    const retries: Record<string, number> = {};
    for (const [state, key] of Object.entries(taskStates(definition, this.#arns))) {
      const handler = this.#options.handlers[key];
      overrides[state] = (taskInput) => {
        const generation = this.#generation;
        let refused = false;
        let timer: NodeJS.Timeout | undefined;
        const slotWaitMs = this.#options.slotWaitMs ?? LOCAL_SLOT_WAIT_MS;
        const invocation = Promise.race([
          this.#limit(() => {
            clearTimeout(timer);
            // Refused while in line: it never runs, and gives its slot back at once.
            if (refused) return Promise.resolve();
            return generation === this.#generation
              ? handler(taskInput, lambdaContext(TASKS[key]) as never)
              : Promise.reject(new Error("the local runtime stopped before this task could run"));
          }),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              refused = true;
              const error = new Error(
                `no free task slot in ${slotWaitMs} ms (${this.#limit.concurrency} busy): rate exceeded`,
              );
              error.name = "Lambda.TooManyRequestsException";
              this.#options.onTaskRefused?.(name, key);
              reject(error);
            }, slotWaitMs);
          }),
        ]);
        this.#invocations.add(invocation);
        const forget = () => this.#invocations.delete(invocation);
        invocation.then(forget, forget);
        return invocation;
      };
      if (this.#options.retryOverrideMs !== undefined)
        retries[state] = this.#options.retryOverrideMs;
    }
    for (const [state, body] of Object.entries(definition.States)) {
      // The polls' waits only: a deferred start's wait for its budget slot (TimestampPath)
      // keeps its time, or it would come back before its slot and lose it.
      if ("SecondsPath" in body && this.#options.waitOverrideMs !== undefined)
        waits[state] = this.#options.waitOverrideMs;
    }
    const execution = machine.run(input as never, {
      noThrowOnAbort: true,
      // The Context Object the tasks' Parameters read (`$$.Execution.Name`).
      context: {
        Execution: {
          Id: `arn:aws:states:local:000000000000:execution:${workflow}:${name}`,
          Name: name,
          Input: input as never,
          StartTime: new Date().toISOString(),
        },
      },
      overrides: {
        taskResourceLocalHandlers: overrides as never,
        waitTimeOverrides: waits,
        retryIntervalOverrides: retries,
      },
    });
    const done = execution.result.then(
      (result) =>
        this.#finish({ workflow, name, status: result === null ? "ABORTED" : "SUCCEEDED" }),
      (error: unknown) =>
        this.#finish({
          workflow,
          name,
          status: "FAILED",
          error: error instanceof Error ? error.name : String(error),
        }),
    );
    this.#running.set(name, { abort: execution.abort, done });
    return { started: true };
  }

  /** Executions still running. */
  get running(): number {
    return this.#running.size;
  }

  /** Task invocations running (each holds one of the runtime's slots) and waiting for a slot. */
  get tasks(): { active: number; waiting: number } {
    return { active: this.#limit.activeCount, waiting: this.#limit.pendingCount };
  }

  /** Resolves when every running execution has ended. */
  async idle(): Promise<void> {
    while (this.#running.size > 0)
      await Promise.all([...this.#running.values()].map((r) => r.done));
  }

  /**
   * Aborts everything still running (shutdown) and waits for the task invocations already
   * under way to return, as Lambda would finish them: nothing writes to the table after
   * stop() resolves. Records stay as they are for recovery.
   */
  async stop(): Promise<void> {
    this.#generation++;
    const running = [...this.#running.values()];
    for (const r of running) r.abort();
    await Promise.all(running.map((r) => r.done));
    await Promise.allSettled([...this.#invocations]);
  }

  /**
   * Aborts everything at once and waits for nothing — what `kill -9` leaves: task
   * invocations under way carry on like orphaned processes (the caller cuts them off from
   * AWS), and executions are gone. Records stay as they are for recovery.
   */
  abandon(): void {
    this.#generation++;
    for (const r of this.#running.values()) r.abort();
    this.#running.clear();
  }

  #finish(outcome: ExecutionOutcome) {
    this.#running.delete(outcome.name);
    this.#options.onOutcome?.(outcome);
  }
}
