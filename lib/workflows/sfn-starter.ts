import type { SFNClient } from "@aws-sdk/client-sfn";
import { ConfigurationError } from "../core/errors.ts";
import type { WorkflowName } from "./definitions.ts";
import type { WorkflowStarter } from "./starter.ts";

/** Options of {@link SfnWorkflowStarter}. */
export interface SfnWorkflowStarterOptions {
  /** The Step Functions client, built on first use (the SDK is loaded only then). */
  client: () => Promise<Pick<SFNClient, "send">>;
  /** ARNs of the state machines this function may start; the others are absent. */
  stateMachineArns: Partial<Record<WorkflowName, string>>;
}

/** Starts executions of the deployed state machines. */
export class SfnWorkflowStarter implements WorkflowStarter {
  readonly #client: SfnWorkflowStarterOptions["client"];
  readonly #arns: Partial<Record<WorkflowName, string>>;

  constructor(options: SfnWorkflowStarterOptions) {
    this.#client = options.client;
    this.#arns = options.stateMachineArns;
  }

  async start(workflow: WorkflowName, name: string, input: Record<string, unknown>) {
    const arn = this.#arns[workflow];
    if (!arn) {
      throw new ConfigurationError(
        `this function is not configured to start ${workflow} (no state machine ARN)`,
      );
    }
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
