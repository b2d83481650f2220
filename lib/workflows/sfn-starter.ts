import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { ConfigurationError } from "../core/errors.ts";
import type { WorkflowName } from "./definitions.ts";
import type { WorkflowStarter } from "./starter.ts";

/** Starts executions of the deployed state machines. */
export class SfnWorkflowStarter implements WorkflowStarter {
  readonly #client: SFNClient;
  readonly #arns: Record<WorkflowName, string>;

  constructor(options: { client: SFNClient; stateMachineArns: Record<WorkflowName, string> }) {
    this.#client = options.client;
    this.#arns = options.stateMachineArns;
  }

  async start(workflow: WorkflowName, name: string, input: Record<string, unknown>) {
    if (!this.#arns[workflow]) {
      throw new ConfigurationError(
        `this function is not configured to start ${workflow} (no state machine ARN)`,
      );
    }
    try {
      await this.#client.send(
        new StartExecutionCommand({
          stateMachineArn: this.#arns[workflow],
          name,
          input: JSON.stringify(input),
        }),
      );
      return { started: true };
    } catch (error) {
      // Same name, same input: the earlier start stands (Standard workflows dedupe 90 days).
      if (error instanceof ExecutionAlreadyExists) return { started: false };
      throw error;
    }
  }
}
