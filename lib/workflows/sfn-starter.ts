import type { SFNClient } from "@aws-sdk/client-sfn";
import type { WorkflowName } from "./definitions.ts";
import type { WorkflowStarter } from "./starter.ts";

/** Options of {@link SfnWorkflowStarter}. */
export interface SfnWorkflowStarterOptions {
  /** The Step Functions client, built on first use (the SDK is loaded only then). */
  client: () => Promise<Pick<SFNClient, "send">>;
  /**
   * The ARN of a state machine this function may start; throws (a configuration error
   * naming what is missing) for one it may not.
   */
  stateMachineArn(workflow: WorkflowName): string;
}

/** Starts executions of the deployed state machines. */
export class SfnWorkflowStarter implements WorkflowStarter {
  readonly #client: SfnWorkflowStarterOptions["client"];
  readonly #arnOf: SfnWorkflowStarterOptions["stateMachineArn"];

  constructor(options: SfnWorkflowStarterOptions) {
    this.#client = options.client;
    this.#arnOf = options.stateMachineArn;
  }

  async start(workflow: WorkflowName, name: string, input: Record<string, unknown>) {
    const arn = this.#arnOf(workflow);
    const [client, { StartExecutionCommand, ExecutionAlreadyExists }] = await Promise.all([
      this.#client(),
      import("@aws-sdk/client-sfn"),
    ]);
    try {
      await client.send(
        new StartExecutionCommand({ stateMachineArn: arn, name, input: JSON.stringify(input) }),
      );
      return { started: true };
    } catch (error) {
      // Same name, same input: the earlier start stands (Standard workflows dedupe 90 days).
      if (error instanceof ExecutionAlreadyExists) return { started: false };
      throw error;
    }
  }
}
