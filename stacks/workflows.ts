import {
  TASKS,
  type TaskArns,
  type TaskKey,
  WORKFLOWS,
  type WorkflowName,
} from "../lib/workflows/definitions.ts";
import { accountId } from "./account.ts";
import { pascalCase, wardenFunction } from "./functions.ts";
import { stateMachineArn, stateMachineName, WORKFLOW_NAMES } from "./workflow-arns.ts";

const taskKeys = Object.keys(TASKS) as TaskKey[];

/**
 * One Lambda per workflow task (`functions/handlers/<TASKS value>.ts`), each with exactly
 * what its declaration names (only the tasks that talk to vendors read credentials).
 * Vendor calls are bounded by WARDEN_PROVIDER_TIMEOUT_MS (30 s by default), hence the
 * one-minute timeout.
 */
export const taskFunctions = Object.fromEntries(
  taskKeys.map((key) => [
    key,
    wardenFunction(`Task${pascalCase(TASKS[key])}`, TASKS[key], {
      description: `backup-warden workflow task ${TASKS[key]}`,
      timeout: "1 minute",
      memory: "512 MB",
    }),
  ]),
) as Record<TaskKey, sst.aws.Function>;

const taskArns = $resolve(taskKeys.map((key) => taskFunctions[key].arn)).apply(
  (arns) => Object.fromEntries(taskKeys.map((key, i) => [key, arns[i]])) as TaskArns,
);

/** The Lambda ARNs a definition's Task states name. */
export function taskResources(definition: { States: Record<string, unknown> }): string[] {
  const arns = Object.values(definition.States).flatMap((state) => {
    const { Type, Resource } = state as { Type?: unknown; Resource?: unknown };
    return Type === "Task" && typeof Resource === "string" ? [Resource] : [];
  });
  return [...new Set(arns)].sort();
}

/**
 * Step Functions' vended-log delivery: these actions take no resource-level permissions
 * (AWS documents `Resource: "*"` for them); they touch log plumbing, never our data.
 */
const LOG_DELIVERY_ACTIONS = [
  "logs:CreateLogDelivery",
  "logs:GetLogDelivery",
  "logs:UpdateLogDelivery",
  "logs:DeleteLogDelivery",
  "logs:ListLogDeliveries",
  "logs:PutResourcePolicy",
  "logs:DescribeResourcePolicies",
  "logs:DescribeLogGroups",
];

/**
 * A Standard state machine deployed from the SAME ASL object the local runtime runs
 * (`lib/workflows/definitions.ts`), with the task functions' ARNs substituted. Its role
 * may invoke exactly the functions the definition names, and deliver logs.
 */
function stateMachine(workflow: WorkflowName) {
  const logical = pascalCase(workflow);
  const definition = taskArns.apply((arns) => WORKFLOWS[workflow](arns));

  const logGroup = new aws.cloudwatch.LogGroup(`${logical}LogGroup`, {
    name: `/aws/vendedlogs/states/${stateMachineName(workflow)}`,
    retentionInDays: 30,
  });

  const role = new aws.iam.Role(`${logical}Role`, {
    // Only Step Functions, and only on behalf of this state machine in this account
    // (the confused-deputy guard AWS documents for service roles).
    assumeRolePolicy: $jsonStringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "states.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: {
            StringEquals: { "aws:SourceAccount": accountId },
            ArnLike: {
              "aws:SourceArn": stateMachineArn(workflow),
            },
          },
        },
      ],
    }),
    inlinePolicies: [
      {
        name: "inline",
        policy: $jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Action: ["lambda:InvokeFunction"],
              Resource: definition.apply(taskResources),
            },
            { Effect: "Allow", Action: LOG_DELIVERY_ACTIONS, Resource: "*" },
          ],
        }),
      },
    ],
  });

  return new aws.sfn.StateMachine(`${logical}StateMachine`, {
    name: stateMachineName(workflow),
    type: "STANDARD",
    roleArn: role.arn,
    definition: $jsonStringify(definition),
    loggingConfiguration: {
      level: "ERROR",
      includeExecutionData: false,
      logDestination: $interpolate`${logGroup.arn}:*`,
    },
  });
}

/** Both workflows by name. */
export const stateMachines = Object.fromEntries(
  WORKFLOW_NAMES.map((workflow) => [workflow, stateMachine(workflow)]),
) as Record<WorkflowName, aws.sfn.StateMachine>;
