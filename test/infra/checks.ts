import { resolve } from "node:path";
import {
  type Deployment,
  deploymentOf,
  environmentFor,
  grantsFor,
} from "../../functions/capabilities.ts";
import { FUNCTIONS, type FunctionName } from "../../functions/manifest.ts";
import { createTableInput, TABLE } from "../../lib/store/table.ts";
import {
  TASKS,
  type TaskArns,
  type TaskKey,
  WORKFLOWS,
  type WorkflowName,
} from "../../lib/workflows/definitions.ts";
import { aslErrors } from "../../lib/workflows/validate.ts";
import type { SynthResource, SynthResult } from "./synth.ts";

const _ROOT = resolve(import.meta.dirname, "../..");

export const TYPES = {
  table: "aws:dynamodb/table:Table",
  lambda: "aws:lambda/function:Function",
  role: "aws:iam/role:Role",
  route: "aws:apigatewayv2/route:Route",
  integration: "aws:apigatewayv2/integration:Integration",
  permission: "aws:lambda/permission:Permission",
  stateMachine: "aws:sfn/stateMachine:StateMachine",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
} as const;

/** Resource inputs are arbitrary JSON. */
type Json = any;

export function ofType(result: SynthResult, type: string): SynthResource[] {
  return result.resources.filter((r) => r.type === type);
}

/** The ARN a mocked resource reports (synth.ts builds it from the physical name). */
export function lambdaArn(fn: SynthResource): string {
  return `arn:aws:lambda:eu-west-1:123456789012:function:${fn.inputs.name}`;
}

/** The Lambda built from `functions/lambda/<file>.ts`, found through the build log. */
export function lambdaFor(result: SynthResult, file: string): SynthResource | undefined {
  const build = result.builds.find((b) => b.entry === `functions/lambda/${file}.ts`);
  if (!build) return undefined;
  return result.resources.find(
    (r) => r.type === TYPES.lambda && r.name === `${build.functionID}Function`,
  );
}

function sameSet(a: Iterable<string>, b: Iterable<string>): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((x) => right.has(x));
}

function sorted(values: Iterable<string>): string {
  return JSON.stringify([...values].sort());
}

// ---------------------------------------------------------------- storage

/** The table matches lib/store/table.ts (and so the table the local runtime creates). */
export function checkTable(result: SynthResult): string[] {
  const tables = ofType(result, TYPES.table);
  if (tables.length !== 1) return [`expected exactly one table, found ${tables.length}`];
  const t = tables[0]!.inputs as Json;
  const local = createTableInput("x");
  const errors: string[] = [];
  if (t.hashKey !== TABLE.hashKey || t.rangeKey !== TABLE.rangeKey)
    errors.push(`table keys ${t.hashKey}/${t.rangeKey}, want ${TABLE.hashKey}/${TABLE.rangeKey}`);
  const attributes = (t.attributes ?? []).map((a: Json) => `${a.name}:${a.type}`);
  const want = (local.AttributeDefinitions ?? []).map(
    (a) => `${a.AttributeName}:${a.AttributeType}`,
  );
  if (!sameSet(attributes, want))
    errors.push(`table attributes ${sorted(attributes)}, want ${sorted(want)}`);
  const indexes = (t.globalSecondaryIndexes ?? []).map(
    (i: Json) => `${i.name}:${i.hashKey}:${i.rangeKey}:${i.projectionType}`,
  );
  const wantIndexes = (local.GlobalSecondaryIndexes ?? []).map(
    (i) =>
      `${i.IndexName}:${i.KeySchema?.[0]?.AttributeName}:${i.KeySchema?.[1]?.AttributeName}:${i.Projection?.ProjectionType}`,
  );
  if (!sameSet(indexes, wantIndexes))
    errors.push(`table indexes ${sorted(indexes)}, want ${sorted(wantIndexes)}`);
  if (t.ttl?.attributeName !== TABLE.ttlAttribute || t.ttl?.enabled !== true)
    errors.push(`table TTL ${JSON.stringify(t.ttl)}, want "${TABLE.ttlAttribute}" enabled`);
  if (t.streamEnabled !== true || t.streamViewType !== TABLE.stream)
    errors.push(`table stream ${t.streamEnabled}/${t.streamViewType}, want ${TABLE.stream}`);
  if (t.pointInTimeRecovery?.enabled !== true) errors.push("table point-in-time recovery is off");
  if (t.billingMode !== local.BillingMode) errors.push(`table billing ${t.billingMode}`);
  return errors;
}

/** Production keeps its data: retained on removal, deletion-protected, app protected. */
export function checkRetention(result: SynthResult, production: boolean): string[] {
  const errors: string[] = [];
  for (const table of ofType(result, TYPES.table)) {
    if (production && table.retainOnDelete !== true) errors.push(`${table.name} is not retained`);
    if (!production && table.retainOnDelete === true)
      errors.push(`${table.name} retained outside production`);
    if ((table.inputs.deletionProtectionEnabled === true) !== production)
      errors.push(`${table.name} deletion protection ${table.inputs.deletionProtectionEnabled}`);
  }
  if ((result.app.removal === "retain") !== production)
    errors.push(`removal is ${result.app.removal}`);
  if ((result.app.protect === true) !== production) errors.push(`protect is ${result.app.protect}`);
  return errors;
}

// ---------------------------------------------------------------- functions

/** Node 24 on arm64, bundled as minified ESM, exactly one function per handler file. */
export function checkFunctions(result: SynthResult, handlerFiles: string[]): string[] {
  const errors: string[] = [];
  for (const file of handlerFiles) {
    const deployed = result.builds.filter((b) => b.entry === `functions/lambda/${file}.ts`);
    if (deployed.length !== 1)
      errors.push(`functions/lambda/${file}.ts is deployed ${deployed.length} times`);
  }
  for (const fn of ofType(result, TYPES.lambda)) {
    const i = fn.inputs as Json;
    if (i.runtime !== "nodejs24.x") errors.push(`${fn.name} runtime ${i.runtime}`);
    if (JSON.stringify(i.architectures) !== JSON.stringify(["arm64"]))
      errors.push(`${fn.name} architectures ${JSON.stringify(i.architectures)}`);
    const build = result.builds.find((b) => `${b.functionID}Function` === fn.name);
    if (!build) {
      errors.push(`${fn.name} has no build`);
      continue;
    }
    const nodejs = build.properties;
    if ((nodejs.format ?? "esm") !== "esm") errors.push(`${fn.name} format ${nodejs.format}`);
    if (nodejs.minify === false) errors.push(`${fn.name} is not minified`);
    // The Lambda entry loads its handler as a chunk on first use (functions/deferred.ts).
    if (nodejs.splitting !== true) errors.push(`${fn.name} is not split into chunks`);
    if (nodejs.architecture !== "arm64") errors.push(`${fn.name} built for ${nodejs.architecture}`);
  }
  return errors;
}

// ---------------------------------------------------------------- api

export interface RouterRoute {
  method: string;
  path: string;
  auth: boolean;
}

/** The routes are the router's routes, all IAM-authorized except the public ones, all on the api function. */
export function checkRoutes(
  result: SynthResult,
  routerRoutes: RouterRoute[],
  publicRoutes: string[] = ["GET /v1/health"],
): string[] {
  const errors: string[] = [];
  const routes = ofType(result, TYPES.route);
  const keys = routes.map((r) => String(r.inputs.routeKey));
  const want = routerRoutes.map((r) => `${r.method} ${r.path}`);
  if (!sameSet(keys, want)) {
    const missing = want.filter((k) => !keys.includes(k));
    const extra = keys.filter((k) => !want.includes(k));
    errors.push(
      `routes differ from the router: missing ${sorted(missing)}, extra ${sorted(extra)}`,
    );
  }
  if (keys.length !== new Set(keys).size) errors.push("duplicate route keys");
  const api = lambdaFor(result, "api");
  if (!api) return [...errors, "no function built from functions/lambda/api.ts"];
  for (const route of routes) {
    const key = String(route.inputs.routeKey);
    const declared = routerRoutes.find((r) => `${r.method} ${r.path}` === key);
    const open = publicRoutes.includes(key);
    const wantAuth = open ? "NONE" : "AWS_IAM";
    if (route.inputs.authorizationType !== wantAuth)
      errors.push(`${key} authorization ${route.inputs.authorizationType}, want ${wantAuth}`);
    if (declared && declared.auth === open)
      errors.push(`${key}: the router says auth=${declared.auth}`);
    const integrationName = String(route.inputs.target)
      .replace(/^integrations\//, "")
      .replace(/-id$/, "");
    const integration = result.resources.find(
      (r) => r.type === TYPES.integration && r.name === integrationName,
    );
    if (integration?.inputs.integrationUri !== lambdaArn(api))
      errors.push(`${key} is not integrated with the api function`);
  }
  const invokers = ofType(result, TYPES.permission).filter(
    (p) =>
      p.inputs.function === lambdaArn(api) && p.inputs.principal === "apigateway.amazonaws.com",
  );
  if (invokers.length === 0) errors.push("API Gateway may not invoke the api function");
  return errors;
}

// ---------------------------------------------------------------- workflows

export function stateMachineName(result: SynthResult, workflow: WorkflowName): string {
  return `${result.app.name}-${result.app.stage}-${workflow}`;
}

export function stateMachineArn(result: SynthResult, workflow: WorkflowName): string {
  return `arn:aws:states:eu-west-1:123456789012:stateMachine:${stateMachineName(result, workflow)}`;
}

function taskResourcesOf(definition: Json): string[] {
  return Object.values(definition.States ?? {})
    .filter((s: Json) => s.Type === "Task" && typeof s.Resource === "string")
    .map((s: Json) => s.Resource as string);
}

/**
 * Each state machine is the ASL from lib/workflows/definitions.ts with the task functions'
 * ARNs, valid ASL, Standard, logged, and runs only functions that exist.
 */
export function checkStateMachines(result: SynthResult): string[] {
  const errors: string[] = [];
  const arns: Partial<TaskArns> = {};
  for (const [key, file] of Object.entries(TASKS) as [TaskKey, string][]) {
    const fn = lambdaFor(result, file);
    if (!fn) errors.push(`no function built from functions/lambda/${file}.ts`);
    else arns[key] = lambdaArn(fn);
  }
  const functionArns = new Set(ofType(result, TYPES.lambda).map(lambdaArn));
  for (const workflow of Object.keys(WORKFLOWS) as WorkflowName[]) {
    const name = stateMachineName(result, workflow);
    const machine = ofType(result, TYPES.stateMachine).find((m) => m.inputs.name === name);
    if (!machine) {
      errors.push(`no state machine ${name}`);
      continue;
    }
    const definition = JSON.parse(String(machine.inputs.definition));
    const expected = WORKFLOWS[workflow](arns as TaskArns);
    if (JSON.stringify(definition) !== JSON.stringify(expected))
      errors.push(`${workflow}: definition differs from lib/workflows/definitions.ts`);
    const invalid = aslErrors(definition);
    if (invalid) errors.push(`${workflow}: invalid ASL: ${invalid}`);
    for (const arn of taskResourcesOf(definition))
      if (!functionArns.has(arn))
        errors.push(`${workflow}: task resource ${arn} is not a deployed function`);
    if (machine.inputs.type !== "STANDARD") errors.push(`${workflow}: type ${machine.inputs.type}`);
    const logging = machine.inputs.loggingConfiguration as Json;
    const groups = ofType(result, TYPES.logGroup).map(
      (g) => `arn:aws:logs:eu-west-1:123456789012:log-group:${g.inputs.name}:*`,
    );
    if (!logging || logging.level === "OFF" || !groups.includes(logging.logDestination))
      errors.push(`${workflow}: logging ${JSON.stringify(logging)}`);
  }
  return errors;
}

// ---------------------------------------------------------------- IAM

export interface Grant {
  action: string;
  resource: string;
  /**
   * Used by Lambda on the function's behalf (reading its event source, sending failed
   * invocations to a queue), not by its code.
   */
  forService?: boolean;
}

/** The allowed (action, resource) pairs of a role's inline policies. */
export function grantsOf(role: SynthResource): Grant[] {
  const grants: Grant[] = [];
  for (const inline of (role.inputs.inlinePolicies as Json[]) ?? []) {
    const policy = typeof inline.policy === "string" ? JSON.parse(inline.policy) : inline.policy;
    for (const statement of policy.Statement ?? []) {
      if (statement.Effect !== "Allow") continue;
      for (const action of [statement.Action].flat())
        for (const resource of [statement.Resource].flat()) grants.push({ action, resource });
    }
  }
  return grants;
}

export function roleOf(result: SynthResult, fn: SynthResource): SynthResource | undefined {
  return result.resources.find(
    (r) =>
      r.type === TYPES.role &&
      `arn:aws:iam::123456789012:role/${r.inputs.name ?? r.name}` === fn.inputs.role,
  );
}

/** Services that hold our data or run our code: never `*` actions, never `*` resources. */
const DATA_SERVICES = [
  "dynamodb",
  "secretsmanager",
  "states",
  "lambda",
  "events",
  "s3",
  "sqs",
  "sns",
  "kms",
];

/** Step Functions' log delivery actions only accept `Resource: "*"` (AWS documents this). */
const LOG_DELIVERY =
  /^logs:(Create|Get|Update|Delete|List)LogDeliver(y|ies)$|^logs:(PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)$/;

/** No wildcard actions on data; no data action on every resource. */
export function checkNoWildcards(result: SynthResult): string[] {
  const errors = new Set<string>();
  for (const role of ofType(result, TYPES.role)) {
    for (const { action, resource } of grantsOf(role)) {
      const service = action.split(":")[0]!;
      if (action === "*" || (DATA_SERVICES.includes(service) && action.includes("*")))
        errors.add(`${role.name} grants wildcard action ${action}`);
      if (resource === "*" && !LOG_DELIVERY.test(action))
        errors.add(`${role.name} grants ${action} on *`);
    }
  }
  return [...errors];
}

function physicalName(result: SynthResult, type: string, logical: string): string {
  return String(result.resources.find((r) => r.type === type && r.name === logical)?.inputs.name);
}

/**
 * What Lambda itself does with a function's role, besides what the function's code
 * declares: it reads the stream of the stream subscriber and sends failed asynchronous
 * invocations and batches to their dead-letter queues.
 */
export function serviceGrants(result: SynthResult): ServiceGrants {
  const queue = (name: string) => ({
    action: "sqs:SendMessage",
    resource: `arn:aws:sqs:eu-west-1:123456789012:${physicalName(result, "aws:sqs/queue:Queue", `${name}Queue`)}`,
  });
  const table = `arn:aws:dynamodb:eu-west-1:123456789012:table/${physicalName(result, TYPES.table, "TableTable")}`;
  const stream = ["DescribeStream", "GetRecords", "GetShardIterator", "ListStreams"].map((op) => ({
    action: `dynamodb:${op}`,
    resource: `${table}/stream/*`,
  }));
  const launchQueue = queue("LaunchQueue").resource;
  const consumer = [
    "ChangeMessageVisibility",
    "DeleteMessage",
    "GetQueueAttributes",
    "ReceiveMessage",
  ];
  return {
    dispatch: [queue("DispatchFailures")],
    "launch-run": consumer.map((op) => ({ action: `sqs:${op}`, resource: launchQueue })),
    "expiry-stream": [...stream, queue("ExpiryFailures")],
    "notify-slack": [queue("SlackFailures")],
    "publish-outbox": [...stream, queue("OutboxFailures")],
  };
}

/** Where a synthesized stage's resources are, in the shape functions/capabilities.ts reads. */
export function synthDeployment(result: SynthResult): Deployment {
  return deploymentOf(
    { region: "eu-west-1", account: "123456789012" },
    {
      table: String(ofType(result, TYPES.table)[0]?.inputs.name),
      bus: String(ofType(result, "aws:cloudwatch/eventBus:EventBus")[0]?.inputs.name),
      stage: `${result.app.name}-${result.app.stage}`,
      secrets: `${result.app.name}/${result.app.stage}/`,
      validateTarget: String(lambdaFor(result, "validate-target")?.inputs.name),
      reconcile: String(lambdaFor(result, "reconcile")?.inputs.name),
      previewRestore: String(lambdaFor(result, "preview-restore")?.inputs.name),
      launchQueue: physicalName(result, "aws:sqs/queue:Queue", "LaunchQueueQueue"),
    },
  );
}

/** What Lambda itself does with a function's role (its event source, its failure queue). */
export type ServiceGrants = Partial<Record<FunctionName, Grant[]>>;

/**
 * Each function's role grants exactly what its declaration (functions/manifest.ts) derives
 * to (functions/capabilities.ts) for this stage, plus what Lambda itself needs for it: the
 * stacks kept no list of their own.
 */
export function checkDerivedPolicies(result: SynthResult, service: ServiceGrants): string[] {
  const errors: string[] = [];
  const deployment = synthDeployment(result);
  for (const file of Object.keys(FUNCTIONS) as FunctionName[]) {
    const fn = lambdaFor(result, file);
    const role = fn && roleOf(result, fn);
    if (!fn || !role) {
      errors.push(`${file} has no function or no role`);
      continue;
    }
    const wanted = [
      ...grantsFor(FUNCTIONS[file].uses, deployment).flatMap((g) =>
        g.actions.flatMap((action) => g.resources.map((resource) => `${action} ${resource}`)),
      ),
      ...(service[file] ?? []).map((g) => `${g.action} ${g.resource}`),
    ];
    const granted = grantsOf(role).map((g) => `${g.action} ${g.resource}`);
    for (const w of wanted) if (!granted.includes(w)) errors.push(`${file} lacks ${w}`);
    for (const g of granted) if (!wanted.includes(g)) errors.push(`${file} also has ${g}`);
  }
  return errors;
}

/** Every function's environment is what its declaration derives to, plus `extra`. */
export function checkDerivedEnvironment(
  result: SynthResult,
  extra: Partial<Record<FunctionName, Record<string, string>>>,
): string[] {
  const errors: string[] = [];
  const deployment = synthDeployment(result);
  for (const file of Object.keys(FUNCTIONS) as FunctionName[]) {
    const fn = lambdaFor(result, file);
    const env = ((fn?.inputs.environment as Json)?.variables ?? {}) as Record<string, string>;
    const want: Record<string, string> = {
      ...environmentFor(FUNCTIONS[file].uses, deployment),
      ...extra[file],
    };
    for (const [name, value] of Object.entries(want))
      if (env[name] !== value) errors.push(`${file}: ${name}=${env[name]}, want ${value}`);
    for (const name of Object.keys(env).filter((n) => n.startsWith("WARDEN_")))
      if (!(name in want) && name !== "WARDEN_VERSION")
        errors.push(`${file}: ${name} is set but nothing it declares reads it`);
  }
  return errors;
}

/** Who may assume each role: Lambda's for functions; Step Functions, scoped, for machines. */
export function checkTrust(result: SynthResult): string[] {
  const errors: string[] = [];
  const machineRoles = new Set(
    ofType(result, TYPES.stateMachine).map((m) => String(m.inputs.roleArn)),
  );
  for (const role of ofType(result, TYPES.role)) {
    const arn = `arn:aws:iam::123456789012:role/${role.inputs.name ?? role.name}`;
    const policy = JSON.parse(String(role.inputs.assumeRolePolicy));
    for (const statement of policy.Statement ?? []) {
      const principals = statement.Principal ?? {};
      const services = [principals.Service ?? []].flat();
      if (principals.AWS)
        errors.push(`${role.name} may be assumed by ${JSON.stringify(principals.AWS)}`);
      if (machineRoles.has(arn)) {
        if (JSON.stringify(services) !== JSON.stringify(["states.amazonaws.com"]))
          errors.push(`${role.name} trusts ${JSON.stringify(services)}`);
        if (statement.Condition?.StringEquals?.["aws:SourceAccount"] !== "123456789012")
          errors.push(`${role.name} trusts Step Functions of any account`);
        if (
          !String(statement.Condition?.ArnLike?.["aws:SourceArn"] ?? "").startsWith(
            "arn:aws:states:",
          )
        )
          errors.push(`${role.name} trusts any state machine`);
      } else if (JSON.stringify(services) !== JSON.stringify(["lambda.amazonaws.com"])) {
        errors.push(`${role.name} trusts ${JSON.stringify(services)}`);
      }
    }
  }
  return errors;
}

/** A state machine's role invokes exactly the functions its definition names, and logs. */
export function checkStateMachineRoles(result: SynthResult): string[] {
  const errors: string[] = [];
  for (const machine of ofType(result, TYPES.stateMachine)) {
    const role = result.resources.find(
      (r) =>
        r.type === TYPES.role &&
        `arn:aws:iam::123456789012:role/${r.inputs.name ?? r.name}` === machine.inputs.roleArn,
    );
    if (!role) {
      errors.push(`${machine.name} has no role`);
      continue;
    }
    const used = taskResourcesOf(JSON.parse(String(machine.inputs.definition)));
    const grants = grantsOf(role);
    const invoke = grants
      .filter((g) => g.action === "lambda:InvokeFunction")
      .map((g) => g.resource);
    if (!sameSet(invoke, used))
      errors.push(
        `${machine.name} may invoke ${sorted(invoke)}, its definition runs ${sorted(used)}`,
      );
    for (const g of grants)
      if (g.action !== "lambda:InvokeFunction" && !LOG_DELIVERY.test(g.action))
        errors.push(`${machine.name} role also grants ${g.action}`);
  }
  return errors;
}

// ---------------------------------------------------------------- events and schedules

function invokePermissionFor(result: SynthResult, fn: SynthResource, principal: string): boolean {
  return ofType(result, TYPES.permission).some(
    (p) => p.inputs.function === lambdaArn(fn) && p.inputs.principal === principal,
  );
}

/** Domain events reach the Slack notifier: a rule on our bus matching our event source. */
export function checkEventRouting(result: SynthResult, eventSource: string): string[] {
  const errors: string[] = [];
  const buses = ofType(result, "aws:cloudwatch/eventBus:EventBus");
  if (buses.length !== 1) return [`expected one event bus, found ${buses.length}`];
  const notifier = lambdaFor(result, "notify-slack");
  if (!notifier) return ["notify-slack is not deployed"];
  const rules = ofType(result, "aws:cloudwatch/eventRule:EventRule").filter(
    (r) => r.inputs.eventBusName === buses[0]!.inputs.name,
  );
  const targeted = rules.filter((rule) =>
    ofType(result, "aws:cloudwatch/eventTarget:EventTarget").some(
      (t) => t.inputs.rule === rule.inputs.name && t.inputs.arn === lambdaArn(notifier),
    ),
  );
  if (targeted.length !== 1) errors.push(`${targeted.length} rules on the bus target notify-slack`);
  for (const rule of targeted) {
    const pattern = JSON.parse(String(rule.inputs.eventPattern ?? "{}"));
    if (JSON.stringify(pattern.source) !== JSON.stringify([eventSource]))
      errors.push(
        `the notifier's rule matches source ${JSON.stringify(pattern.source)}, want ["${eventSource}"]`,
      );
  }
  if (!invokePermissionFor(result, notifier, "events.amazonaws.com"))
    errors.push("EventBridge may not invoke notify-slack");
  return errors;
}

export interface ExpectedSchedule {
  file: string;
  schedule: string;
  /** The function reads the scheduled event itself (no constant input on the target). */
  needsEnvelope?: boolean;
  /** Failed asynchronous invocations go to a queue. */
  deadLetter?: boolean;
}

/** Each scheduled function has its rule, target, invoke permission and, where wanted, a DLQ. */
export function checkSchedules(result: SynthResult, expected: ExpectedSchedule[]): string[] {
  const errors: string[] = [];
  const queues = ofType(result, "aws:sqs/queue:Queue").map(
    (q) => `arn:aws:sqs:eu-west-1:123456789012:${q.inputs.name}`,
  );
  for (const want of expected) {
    const fn = lambdaFor(result, want.file);
    if (!fn) {
      errors.push(`${want.file} is not deployed`);
      continue;
    }
    const targets = ofType(result, "aws:cloudwatch/eventTarget:EventTarget").filter(
      (t) => t.inputs.arn === lambdaArn(fn),
    );
    const rules = targets.flatMap((t) =>
      ofType(result, "aws:cloudwatch/eventRule:EventRule").filter(
        (r) => r.inputs.name === t.inputs.rule && r.inputs.scheduleExpression !== undefined,
      ),
    );
    if (rules.length !== 1 || rules[0]!.inputs.scheduleExpression !== want.schedule) {
      errors.push(
        `${want.file} runs on ${JSON.stringify(rules.map((r) => r.inputs.scheduleExpression))}, want ${want.schedule}`,
      );
    }
    const target = targets.find((t) => rules.some((r) => r.inputs.name === t.inputs.rule));
    if (want.needsEnvelope && target?.inputs.input !== undefined)
      errors.push(
        `${want.file} gets the constant input ${target?.inputs.input}, not the scheduled event`,
      );
    if (!invokePermissionFor(result, fn, "events.amazonaws.com"))
      errors.push(`EventBridge may not invoke ${want.file}`);
    if (want.deadLetter) {
      const config = ofType(
        result,
        "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
      ).find((c) => c.inputs.functionName === fn.inputs.name);
      const destination = (config?.inputs.destinationConfig as Json)?.onFailure?.destination;
      if (!queues.includes(destination)) errors.push(`${want.file} has no dead-letter queue`);
    }
  }
  return errors;
}

/**
 * A stream subscriber reads the table's stream through exactly one event source mapping,
 * filtered to `want` (its only records), reporting failures per record, with a
 * dead-letter queue.
 */
export function checkStreamSubscriber(
  result: SynthResult,
  file: FunctionName,
  want: Record<string, unknown>,
): string[] {
  const errors: string[] = [];
  const table = ofType(result, TYPES.table)[0];
  const fn = lambdaFor(result, file);
  if (!table || !fn) return [`no table or no ${file} function`];
  const streamPrefix = `arn:aws:dynamodb:eu-west-1:123456789012:table/${table.inputs.name}/stream/`;
  const mappings = ofType(result, "aws:lambda/eventSourceMapping:EventSourceMapping").filter(
    (m) => m.inputs.functionName === lambdaArn(fn),
  );
  if (mappings.length !== 1) return [`${file} has ${mappings.length} event sources`];
  const m = mappings[0]!.inputs as Json;
  if (!String(m.eventSourceArn).startsWith(streamPrefix))
    errors.push(`${file} reads ${m.eventSourceArn}`);
  const filters = (m.filterCriteria?.filters ?? []).map((f: Json) => JSON.parse(f.pattern));
  if (JSON.stringify(filters) !== JSON.stringify([want]))
    errors.push(`${file} filters ${JSON.stringify(filters)}, want ${JSON.stringify([want])}`);
  if (!(m.functionResponseTypes ?? []).includes("ReportBatchItemFailures"))
    errors.push(`${file} does not report batch item failures`);
  const queues = ofType(result, "aws:sqs/queue:Queue").map(
    (q) => `arn:aws:sqs:eu-west-1:123456789012:${q.inputs.name}`,
  );
  if (!queues.includes(m.destinationConfig?.onFailure?.destinationArn))
    errors.push(`${file} has no dead-letter queue`);
  return errors;
}

/** Only TTL deletions of expiry markers reach the expiry function. */
export function checkExpiryStream(
  result: SynthResult,
  expected: { entity: string; principal: { type: string; principalId: string } },
): string[] {
  return checkStreamSubscriber(result, "expiry-stream", {
    eventName: ["REMOVE"],
    userIdentity: {
      type: [expected.principal.type],
      principalId: [expected.principal.principalId],
    },
    dynamodb: { OldImage: { entity: { S: [expected.entity] } } },
  });
}

// ---------------------------------------------------------------- alarms

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const TOPIC = "aws:sns/topic:Topic";

/**
 * Alarms cover failed and timed-out executions of each state machine, the depth of every
 * dead-letter queue, and the notifier's errors and undelivered notifications; each one
 * notifies the alarm topic.
 */
export function checkAlarms(
  result: SynthResult,
  expected: {
    notifierFile: string;
    customMetric: { namespace: string; name: string; dimension?: [string, string] };
  },
): string[] {
  const errors: string[] = [];
  const alarms = ofType(result, ALARM);
  const topics = ofType(result, TOPIC);
  const has = (namespace: string, metric: string, dimension?: [string, string]) =>
    alarms.some(
      (a) =>
        a.inputs.namespace === namespace &&
        a.inputs.metricName === metric &&
        (!dimension || (a.inputs.dimensions as Json)?.[dimension[0]] === dimension[1]),
    );
  for (const workflow of Object.keys(WORKFLOWS) as WorkflowName[]) {
    const arn = stateMachineArn(result, workflow);
    for (const metric of ["ExecutionsFailed", "ExecutionsTimedOut"]) {
      if (!has("AWS/States", metric, ["StateMachineArn", arn]))
        errors.push(`no ${metric} alarm for ${workflow}`);
    }
  }
  for (const queue of ofType(result, "aws:sqs/queue:Queue")) {
    // A work queue (one with a redrive policy) holds messages as a matter of course: it is
    // watched for the age of its oldest message; a dead-letter queue for any message at all.
    const work = queue.inputs.redrivePolicy !== undefined;
    const metric = work ? "ApproximateAgeOfOldestMessage" : "ApproximateNumberOfMessagesVisible";
    if (!has("AWS/SQS", metric, ["QueueName", String(queue.inputs.name)])) {
      errors.push(`no ${work ? "age" : "depth"} alarm for queue ${queue.name}`);
    }
  }
  const notifier = lambdaFor(result, expected.notifierFile);
  if (!notifier || !has("AWS/Lambda", "Errors", ["FunctionName", String(notifier.inputs.name)])) {
    errors.push(`no errors alarm for ${expected.notifierFile}`);
  }
  if (
    !has(
      expected.customMetric.namespace,
      expected.customMetric.name,
      expected.customMetric.dimension,
    )
  ) {
    errors.push(`no alarm on ${expected.customMetric.namespace}/${expected.customMetric.name}`);
  }
  const topicArns = new Set(
    topics.map((t) => `arn:aws:sns:eu-west-1:123456789012:${t.inputs.name}`),
  );
  for (const a of alarms) {
    const actions = (a.inputs.alarmActions as string[] | undefined) ?? [];
    if (actions.length === 0) errors.push(`alarm ${a.name} notifies no one`);
  }
  if (alarms.length > 0 && topicArns.size === 0) errors.push("no alarm topic");
  return errors;
}
