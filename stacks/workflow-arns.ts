import type { Environment } from "../functions/config.ts";
import { WORKFLOWS, type WorkflowName } from "../lib/workflows/definitions.ts";
import { physicalName, regionalArn } from "./account.ts";

/** The variable functions read a workflow's ARN from (functions/config.ts). */
export const WORKFLOW_ENV = {
  "create-backup": "WARDEN_CREATE_BACKUP_ARN",
  "delete-backup": "WARDEN_DELETE_BACKUP_ARN",
} as const satisfies Record<WorkflowName, keyof Environment>;

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

/**
 * Both ARNs in the variables every function reads: `functions/wiring.ts` refuses to build
 * its container without them, even in functions that never start a workflow. Carries no
 * permission; {@link startWorkflows} does.
 */
export const workflowArns = new sst.Linkable("WorkflowArns", {
  properties: Object.fromEntries(WORKFLOW_NAMES.map((w) => [w, stateMachineArn(w)])),
  include: [
    sst.env(Object.fromEntries(WORKFLOW_NAMES.map((w) => [WORKFLOW_ENV[w], stateMachineArn(w)]))),
  ],
});

/** `states:StartExecution` on the named workflows only. */
export function startWorkflows(...workflows: WorkflowName[]) {
  return sst.aws.permission({
    actions: ["states:StartExecution"],
    resources: workflows.map(stateMachineArn),
  });
}
