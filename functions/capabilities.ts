import type { WorkflowName } from "../lib/workflows/definitions.ts";

/*
 * What a function may use, in words (capabilities) and in IAM (grants). Plain data and pure
 * functions, shared by three readers so that they can never disagree:
 * - the composition root (functions/root.ts) builds only the ports a function declares;
 * - the stacks (stacks/functions.ts) turn the same declaration into the function's IAM
 *   statements and environment;
 * - the local runtime's AWS endpoint (local/aws/) authorizes each function's calls
 *   with the same statements, so a local run fails where AWS would.
 */

/** Where one deployment's resources are: strings locally, Pulumi outputs in the stacks. */
export interface Deployment<V = string> {
  table: { name: V; arn: V; indexesArn: V };
  bus: { name: V; arn: V };
  /** State machine ARNs (their names are fixed, so they are known before they exist). */
  workflows: Record<WorkflowName, V>;
  /** Secret name prefixes and the ARN patterns that cover them. */
  secrets: {
    providers: { prefix: V; arns: V };
    webhooks: { prefix: V; arns: V };
  };
  /** Functions other functions invoke. */
  validateTarget: { name: V; arn: V };
  reconcile: { name: V; arn: V };
  /** The function that previews a restore at its vendor (the API invokes it). */
  previewRestore: { name: V; arn: V };
  /** The queue the dispatcher hands claimed runs to (SQS). */
  launchQueue: { url: V; arn: V };
}

/** One IAM statement: these actions on these resources. */
export interface Grant<V = string> {
  actions: string[];
  resources: V[];
}

interface CapabilitySpec {
  /** What it is for, in the docs and in the error a function gets when it lacks it. */
  purpose: string;
  grants: <V>(d: Deployment<V>) => Grant<V>[];
  /** The variables functions/config.ts reads for it. */
  environment: <V>(d: Deployment<V>) => Record<string, V>;
}

/** The variable that holds each workflow's state machine ARN. */
export const WORKFLOW_ARN_VARIABLE = {
  "create-backup": "WARDEN_CREATE_BACKUP_ARN",
  "delete-backup": "WARDEN_DELETE_BACKUP_ARN",
  "restore-backup": "WARDEN_RESTORE_BACKUP_ARN",
} as const satisfies Record<WorkflowName, string>;

/** Starting one workflow's executions. */
function startWorkflow(workflow: WorkflowName): CapabilitySpec {
  return {
    purpose: `start the ${workflow} workflow`,
    grants: (d) => [{ actions: ["states:StartExecution"], resources: [d.workflows[workflow]] }],
    environment: (d) => ({ [WORKFLOW_ARN_VARIABLE[workflow]]: d.workflows[workflow] }),
  };
}

/** Reading the secrets under one of the deployment's prefixes. */
function readSecrets(
  kind: keyof Deployment["secrets"],
  purpose: string,
  variable: string,
): CapabilitySpec {
  return {
    purpose,
    grants: (d) => [
      { actions: ["secretsmanager:GetSecretValue"], resources: [d.secrets[kind].arns] },
    ],
    environment: (d) => ({ [variable]: d.secrets[kind].prefix }),
  };
}

/** One item operation on the table (on its indexes too, for Query). */
function tableOperation(action: string, purpose: string, indexes = false): CapabilitySpec {
  return {
    purpose: `${purpose} (${action})`,
    grants: (d) => [
      {
        actions: [`dynamodb:${action}`],
        resources: indexes ? [d.table.arn, d.table.indexesArn] : [d.table.arn],
      },
    ],
    environment: (d) => ({ WARDEN_TABLE: d.table.name }),
  };
}

/**
 * Every capability a function can declare. Table access is split by operation, as the
 * repositories send them (lib/store/client.ts), so that a function is granted exactly the
 * item operations its code paths send: a reader gets no write, a writer no delete.
 */
export const CAPABILITIES = {
  "table:get": tableOperation("GetItem", "read items of the catalogue table"),
  "table:query": tableOperation("Query", "query the catalogue table and its indexes", true),
  "table:put": tableOperation("PutItem", "write new items to the catalogue table"),
  "table:update": tableOperation("UpdateItem", "change items of the catalogue table"),
  "table:delete": tableOperation("DeleteItem", "delete items of the catalogue table"),
  "events:publish": {
    purpose: "publish domain events on the bus",
    grants: (d) => [{ actions: ["events:PutEvents"], resources: [d.bus.arn] }],
    environment: (d) => ({ WARDEN_EVENT_BUS: d.bus.name }),
  },
  "start:create-backup": startWorkflow("create-backup"),
  "start:delete-backup": startWorkflow("delete-backup"),
  "start:restore-backup": startWorkflow("restore-backup"),
  "secrets:providers": readSecrets(
    "providers",
    "read vendor credentials (Secrets Manager, provider prefix)",
    "WARDEN_PROVIDER_SECRET_PREFIX",
  ),
  "secrets:webhooks": readSecrets(
    "webhooks",
    "read Slack webhook URLs (Secrets Manager, webhook prefix)",
    "WARDEN_WEBHOOK_SECRET_PREFIX",
  ),
  "invoke:validate-target": {
    purpose: "check a new target at its vendor (invokes the validate-target function)",
    grants: (d) => [{ actions: ["lambda:InvokeFunction"], resources: [d.validateTarget.arn] }],
    environment: (d) => ({ WARDEN_VALIDATE_TARGET_FUNCTION: d.validateTarget.name }),
  },
  "invoke:preview-restore": {
    purpose: "preview a restore at its vendor (invokes the preview-restore function)",
    grants: (d) => [{ actions: ["lambda:InvokeFunction"], resources: [d.previewRestore.arn] }],
    environment: (d) => ({ WARDEN_PREVIEW_RESTORE_FUNCTION: d.previewRestore.name }),
  },
  "queue:launch": {
    purpose: "hand claimed schedule runs to the launch queue (SQS)",
    // SendMessageBatch is authorized as sqs:SendMessage (it has no action of its own).
    grants: (d) => [{ actions: ["sqs:SendMessage"], resources: [d.launchQueue.arn] }],
    environment: (d) => ({ WARDEN_LAUNCH_QUEUE_URL: d.launchQueue.url }),
  },
  "invoke:reconcile": {
    purpose: "compare a target with its vendor's backups (invokes the reconcile function)",
    grants: (d) => [{ actions: ["lambda:InvokeFunction"], resources: [d.reconcile.arn] }],
    environment: (d) => ({ WARDEN_RECONCILE_FUNCTION: d.reconcile.name }),
  },
} as const satisfies Record<string, CapabilitySpec>;

export type Capability = keyof typeof CAPABILITIES;

/** The IAM statements of a set of capabilities, in declaration order. */
export function grantsFor<V>(uses: readonly Capability[], deployment: Deployment<V>): Grant<V>[] {
  return uses.flatMap((use) => CAPABILITIES[use].grants(deployment));
}

/** The environment variables a set of capabilities needs. */
export function environmentFor<V>(
  uses: readonly Capability[],
  deployment: Deployment<V>,
): Record<string, V> {
  return Object.assign({}, ...uses.map((use) => CAPABILITIES[use].environment(deployment)));
}

/**
 * The resources of a deployment by name, as ARN prefixes: what a recorded call is written
 * against (`{table}/index/by-status`), so that calls recorded locally can be checked
 * against the roles of any synthesized stage (test/permissions/matrix.ts).
 */
export function resourceRoots(d: Deployment): Record<string, string> {
  return {
    table: d.table.arn,
    bus: d.bus.arn,
    "workflow:create-backup": d.workflows["create-backup"],
    "workflow:delete-backup": d.workflows["delete-backup"],
    "workflow:restore-backup": d.workflows["restore-backup"],
    providerSecrets: d.secrets.providers.arns.replace(/\*$/, ""),
    webhookSecrets: d.secrets.webhooks.arns.replace(/\*$/, ""),
    validateTarget: d.validateTarget.arn,
    reconcile: d.reconcile.arn,
    previewRestore: d.previewRestore.arn,
    launchQueue: d.launchQueue.arn,
  };
}

/** An ARN written against its deployment's roots: `{table}/index/by-status`, or as it is. */
export function logicalResource(d: Deployment, arn: string): string {
  const [name, root] =
    Object.entries(resourceRoots(d))
      .sort(([, a], [, b]) => b.length - a.length)
      .find(([, prefix]) => arn.startsWith(prefix)) ?? [];
  return name && root !== undefined ? `{${name}}${arn.slice(root.length)}` : arn;
}

/** The names a deployment's resources have; their ARNs follow from them. */
export interface DeploymentNames {
  table: string;
  bus: string;
  /** The prefix of the state machines' fixed names, e.g. `backup-warden-prod`. */
  stage: string;
  /** The prefix of secret names, e.g. `backup-warden/prod/` (providers/ and webhooks/ follow). */
  secrets: string;
  validateTarget: string;
  reconcile: string;
  previewRestore: string;
  launchQueue: string;
}

/** A deployment in one account and region, from its resources' names. */
export function deploymentOf(
  where: { partition?: string; region: string; account: string },
  names: DeploymentNames,
): Deployment {
  const arn = (service: string, resource: string) =>
    `arn:${where.partition ?? "aws"}:${service}:${where.region}:${where.account}:${resource}`;
  const secrets = (kind: string) => {
    const prefix = `${names.secrets}${kind}/`;
    return { prefix, arns: arn("secretsmanager", `secret:${prefix}*`) };
  };
  return {
    table: {
      name: names.table,
      arn: arn("dynamodb", `table/${names.table}`),
      indexesArn: arn("dynamodb", `table/${names.table}/index/*`),
    },
    bus: { name: names.bus, arn: arn("events", `event-bus/${names.bus}`) },
    workflows: {
      "create-backup": arn("states", `stateMachine:${names.stage}-create-backup`),
      "delete-backup": arn("states", `stateMachine:${names.stage}-delete-backup`),
      "restore-backup": arn("states", `stateMachine:${names.stage}-restore-backup`),
    },
    secrets: { providers: secrets("providers"), webhooks: secrets("webhooks") },
    validateTarget: {
      name: names.validateTarget,
      arn: arn("lambda", `function:${names.validateTarget}`),
    },
    reconcile: { name: names.reconcile, arn: arn("lambda", `function:${names.reconcile}`) },
    previewRestore: {
      name: names.previewRestore,
      arn: arn("lambda", `function:${names.previewRestore}`),
    },
    launchQueue: {
      url: `https://sqs.${where.region}.amazonaws.com/${where.account}/${names.launchQueue}`,
      arn: arn("sqs", names.launchQueue),
    },
  };
}
