import { WORKFLOWS, type WorkflowName } from "../lib/workflows/definitions.ts";
import { physicalName, regionalArn } from "./account.ts";

export const WORKFLOW_NAMES = Object.keys(WORKFLOWS) as WorkflowName[];

/** The fixed physical name of a workflow's state machine, e.g. `backup-warden-prod-create-backup`. */
export function stateMachineName(workflow: WorkflowName): string {
  return physicalName(workflow);
}

/**
 * A state machine's ARN, known before it exists (its name is fixed). Functions need the
 * ARNs while the state machines need the task functions' ARNs; naming them breaks the cycle.
 * `test/infra` checks that these equal the ARNs of the deployed state machines.
 */
export function stateMachineArn(workflow: WorkflowName) {
  return regionalArn("states", `stateMachine:${stateMachineName(workflow)}`);
}
