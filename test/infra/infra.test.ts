/**
 * The infrastructure as SST would deploy it, evaluated offline (test/infra/synth.ts:
 * Pulumi mocks, a loopback stand-in for the CLI, no AWS credentials, no network), checked
 * against the code it wires: the table definition, the router, the workflow ASL and the
 * SDK calls the bundled handlers make.
 */
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { apiRoutes } from "../../lib/api/routes.ts";
import { EVENT_SOURCE } from "../../lib/notify/events.ts";
import { METRICS_NAMESPACE, MetricName, SERVICE_NAME } from "../../lib/notify/metrics.ts";
import { LAUNCH_QUEUE } from "../../lib/schedule/run-queue.ts";
import { EXPIRY_ENTITY } from "../../lib/store/expiry.ts";
import { OUTBOX_PARTITION } from "../../lib/store/outbox.ts";
import { TTL_PRINCIPAL } from "../../lib/usecases/ttl-stream.ts";
import { handlerEntries } from "../../scripts/build-functions.ts";
import {
  checkAlarms,
  checkDerivedEnvironment,
  checkDerivedPolicies,
  checkEventRouting,
  checkExpiryStream,
  checkFunctions,
  checkNoWildcards,
  checkRetention,
  checkRoutes,
  checkSchedules,
  checkStateMachineRoles,
  checkStateMachines,
  checkStreamSubscriber,
  checkTable,
  checkTrust,
  grantsOf,
  lambdaArn,
  lambdaFor,
  ofType,
  roleOf,
  serviceGrants,
  TYPES,
} from "./checks.ts";
import { ensurePlatform } from "./platform.ts";
import type { SynthResult } from "./synth.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const run = promisify(execFile);

/** Synth in a child process: Pulumi's runtime is global state, one program per process. */
async function synthesize(stage: string, config?: string): Promise<SynthResult> {
  const args = [resolve(ROOT, "test/infra/synth.ts"), stage, ...(config ? [config] : [])];
  const { stdout } = await run(process.execPath, args, {
    cwd: ROOT,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "", AWS_PROFILE: "" },
  });
  return JSON.parse(stdout) as SynthResult;
}

/** The stderr of a synth that must fail. */
async function synthFailure(config: string): Promise<string> {
  try {
    await synthesize("ci", resolve(ROOT, config));
  } catch (error) {
    return String((error as { stderr?: string }).stderr ?? error);
  }
  return "synth succeeded";
}

const clone = (result: SynthResult): SynthResult => structuredClone(result);

let ci: SynthResult;
let prod: SynthResult;
let missingHandler: string;
let noStream: string;

beforeAll(async () => {
  ensurePlatform();
  [ci, prod, missingHandler, noStream] = await Promise.all([
    synthesize("ci"),
    synthesize("prod"),
    synthFailure("test/infra/fixtures/missing-handler.config.ts"),
    synthFailure("test/infra/fixtures/no-stream.config.ts"),
  ]);
}, 180_000);

const routerRoutes = () =>
  apiRoutes({} as never).map(({ method, path, auth }) => ({ method, path, auth }));

describe("offline synth", () => {
  it("evaluates the whole config with only the mocked invokes and CLI calls", () => {
    expect(ci.app).toMatchObject({ name: "backup-warden", stage: "ci", home: "aws" });
    expect(ci.invokes).toEqual([
      "aws:iam/getPolicyDocument:getPolicyDocument",
      "aws:index/getCallerIdentity:getCallerIdentity",
      "aws:index/getPartition:getPartition",
      "aws:index/getRegion:getRegion",
      "rpc: Provider.Aws.Bootstrap",
      "rpc: Runtime.Build",
    ]);
    expect(Object.keys(ci.outputs).sort()).toEqual(
      [
        "_protect",
        "alarms",
        "api",
        "bus",
        "createBackup",
        "deleteBackup",
        "providerSecretPrefix",
        "restoreBackup",
        "slackWebhookSecret",
        "table",
        "webhookSecretPrefix",
      ].sort(),
    );
  });

  it("refuses a function whose handler file does not exist", () => {
    expect(missingHandler).toContain(
      'Could not find handler file for "functions/lambda/does-not-exist.handler"',
    );
  });

  it("refuses a stream subscription on a table without a stream", () => {
    expect(noStream).toContain("stream is not enabled");
  });
});

describe("storage", () => {
  it("builds the table from lib/store/table.ts: keys, GSIs, TTL, stream, PITR", () => {
    expect(checkTable(ci)).toEqual([]);
  });

  it("notices a table without its stream", () => {
    const broken = clone(ci);
    const table = ofType(broken, TYPES.table)[0]!;
    table.inputs.streamEnabled = false;
    delete table.inputs.streamViewType;
    expect(checkTable(broken)).toEqual(["table stream false/undefined, want NEW_AND_OLD_IMAGES"]);
  });

  it("notices a missing index or TTL", () => {
    const broken = clone(ci);
    const table = ofType(broken, TYPES.table)[0]!;
    (table.inputs.globalSecondaryIndexes as unknown[]).pop();
    delete table.inputs.ttl;
    const errors = checkTable(broken);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^table indexes/);
    expect(errors[1]).toMatch(/^table TTL/);
  });

  it("retains and protects the table in production only", () => {
    expect(checkRetention(prod, true)).toEqual([]);
    expect(checkRetention(ci, false)).toEqual([]);
    const broken = clone(prod);
    ofType(broken, TYPES.table)[0]!.retainOnDelete = undefined;
    expect(checkRetention(broken, true)).toEqual(["TableTable is not retained"]);
  });
});

describe("api", () => {
  it("routes exactly the router's routes to the api function, IAM-authorized except health", () => {
    expect(routerRoutes().length).toBeGreaterThan(1);
    expect(checkRoutes(ci, routerRoutes())).toEqual([]);
  });

  it("makes lifting a hold a route of its own, so IAM can allow placing holds but not lifting them", () => {
    const keys = ofType(ci, TYPES.route).map((r) => ({
      key: r.inputs.routeKey as string,
      auth: r.inputs.authorizationType as string,
    }));

    // Each is its own execute-api resource (…/PUT/v1/backups/*/hold vs …/DELETE/…),
    // which docs/security.md's policy allows and denies one by one.
    expect(keys.filter((k) => k.key.endsWith(" /v1/backups/{backupId}/hold"))).toEqual([
      { key: "PUT /v1/backups/{backupId}/hold", auth: "AWS_IAM" },
      { key: "DELETE /v1/backups/{backupId}/hold", auth: "AWS_IAM" },
    ]);
  });

  it("notices a route without authorization", () => {
    const broken = clone(ci);
    const route = ofType(broken, TYPES.route).find(
      (r) => r.inputs.routeKey === "DELETE /v1/backups/{backupId}",
    )!;
    route.inputs.authorizationType = "NONE";
    expect(checkRoutes(broken, routerRoutes())).toEqual([
      "DELETE /v1/backups/{backupId} authorization NONE, want AWS_IAM",
    ]);
  });

  it("notices a route the router does not have, and one it lacks", () => {
    const broken = clone(ci);
    const route = ofType(broken, TYPES.route).find((r) => r.inputs.routeKey === "GET /v1/targets")!;
    route.inputs.routeKey = "GET /v1/admin";
    expect(checkRoutes(broken, routerRoutes())).toEqual([
      'routes differ from the router: missing ["GET /v1/targets"], extra ["GET /v1/admin"]',
    ]);
  });
});

describe("workflows", () => {
  it("deploys both state machines from the shared ASL with the task functions' ARNs", () => {
    expect(checkStateMachines(ci)).toEqual([]);
  });

  it("notices a task pointing at a function that does not exist", () => {
    const broken = clone(ci);
    const machine = ofType(broken, TYPES.stateMachine).find((m) =>
      String(m.inputs.name).endsWith("create-backup"),
    )!;
    const definition = JSON.parse(String(machine.inputs.definition));
    definition.States.PollBackup.Resource = "arn:aws:lambda:eu-west-1:123456789012:function:ghost";
    machine.inputs.definition = JSON.stringify(definition);
    expect(checkStateMachines(broken)).toEqual([
      "create-backup: definition differs from lib/workflows/definitions.ts",
      "create-backup: task resource arn:aws:lambda:eu-west-1:123456789012:function:ghost is not a deployed function",
    ]);
  });

  it("notices invalid ASL", () => {
    const broken = clone(ci);
    const machine = ofType(broken, TYPES.stateMachine).find((m) =>
      String(m.inputs.name).endsWith("delete-backup"),
    )!;
    const definition = JSON.parse(String(machine.inputs.definition));
    definition.States.DeletionOutcome.Default = "Nowhere";
    machine.inputs.definition = JSON.stringify(definition);
    expect(checkStateMachines(broken).join("\n")).toMatch(/delete-backup: invalid ASL/);
  });

  it("lets each state machine invoke only the functions its definition runs", () => {
    expect(checkStateMachineRoles(ci)).toEqual([]);
    const broken = clone(ci);
    const api = lambdaArn(lambdaFor(broken, "api")!);
    const role = ofType(broken, TYPES.role).find((r) => r.name === "CreateBackupRole")!;
    const inline = (role.inputs.inlinePolicies as { policy: string }[])[0]!;
    const policy = JSON.parse(inline.policy);
    policy.Statement[0].Resource.push(api);
    inline.policy = JSON.stringify(policy);
    expect(checkStateMachineRoles(broken)[0]).toMatch(/^CreateBackupStateMachine may invoke/);
  });
});

describe("functions", () => {
  it("deploys every entry in functions/lambda/ once, on Node 24, arm64, minified ESM", () => {
    const files = Object.keys(handlerEntries());
    expect(ofType(ci, TYPES.lambda)).toHaveLength(files.length);
    expect(checkFunctions(ci, files)).toEqual([]);
  });

  it("notices a handler that is not deployed", () => {
    expect(checkFunctions(ci, [...Object.keys(handlerEntries()), "ghost"])).toEqual([
      "functions/lambda/ghost.ts is deployed 0 times",
    ]);
  });

  it("gives every function the environment its declaration derives to, and nothing else", () => {
    const slack = { WARDEN_SLACK_WEBHOOK_SECRET: "slack-webhook" };
    expect(checkDerivedEnvironment(ci, { "notify-slack": slack, "slack-digest": slack })).toEqual(
      [],
    );
    // The state machine ARNs handed out before the state machines exist are theirs.
    const api = lambdaFor(ci, "api")!.inputs.environment as { variables: Record<string, string> };
    expect(ci.outputs.createBackup).toBe(api.variables.WARDEN_CREATE_BACKUP_ARN);
    expect(ci.outputs.deleteBackup).toBe(api.variables.WARDEN_DELETE_BACKUP_ARN);
  });

  it("notices a variable no capability of the function reads", () => {
    const broken = clone(ci);
    const env = lambdaFor(broken, "notify-slack")!.inputs.environment as {
      variables: Record<string, string>;
    };
    env.variables.WARDEN_PROVIDER_SECRET_PREFIX = "backup-warden/ci/providers/";
    const slack = { WARDEN_SLACK_WEBHOOK_SECRET: "slack-webhook" };
    expect(
      checkDerivedEnvironment(broken, { "notify-slack": slack, "slack-digest": slack }),
    ).toEqual([
      "notify-slack: WARDEN_PROVIDER_SECRET_PREFIX is set but nothing it declares reads it",
    ]);
  });
});

describe("events, expiry and schedules", () => {
  const schedules = [
    { file: "dispatch", schedule: "rate(1 minute)", deadLetter: true, needsEnvelope: true },
    { file: "sweep", schedule: "rate(15 minutes)", needsEnvelope: true },
    { file: "reconcile", schedule: "rate(1 hour)" },
    { file: "slack-digest", schedule: "cron(0 8 * * ? *)", needsEnvelope: true },
  ];
  const expiry = { entity: EXPIRY_ENTITY, principal: TTL_PRINCIPAL };

  it("sends our domain events to the Slack notifier", () => {
    expect(checkEventRouting(ci, EVENT_SOURCE)).toEqual([]);
    const broken = clone(ci);
    const rule = ofType(broken, "aws:cloudwatch/eventRule:EventRule").find((r) =>
      String(r.inputs.eventPattern ?? "").includes("source"),
    )!;
    rule.inputs.eventPattern = JSON.stringify({ source: ["someone-else"] });
    expect(checkEventRouting(broken, EVENT_SOURCE)).toEqual([
      `the notifier's rule matches source ["someone-else"], want ["${EVENT_SOURCE}"]`,
    ]);
  });

  it("runs the dispatcher every minute with a dead-letter queue, the sweeper and the digest", () => {
    expect(checkSchedules(ci, schedules)).toEqual([]);
  });

  it("notices a digest fed a constant input instead of the scheduled event, and a lost DLQ", () => {
    const broken = clone(ci);
    const digest = lambdaFor(broken, "slack-digest")!;
    const target = ofType(broken, "aws:cloudwatch/eventTarget:EventTarget").find(
      (t) => t.inputs.arn === lambdaArn(digest),
    )!;
    target.inputs.input = "{}";
    broken.resources = broken.resources.filter(
      (r) => r.type !== "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
    );
    expect(checkSchedules(broken, schedules)).toEqual([
      "dispatch has no dead-letter queue",
      "slack-digest gets the constant input {}, not the scheduled event",
    ]);
  });

  it("feeds only TTL deletions of expiry markers to the expiry function", () => {
    expect(checkExpiryStream(ci, expiry)).toEqual([]);
    const broken = clone(ci);
    const mapping = ofType(broken, "aws:lambda/eventSourceMapping:EventSourceMapping").find((m) =>
      JSON.stringify(m.inputs.filterCriteria ?? {}).includes("REMOVE"),
    )!;
    const criteria = mapping.inputs.filterCriteria as { filters: { pattern: string }[] };
    const pattern = JSON.parse(criteria.filters[0]!.pattern);
    delete pattern.userIdentity;
    criteria.filters[0]!.pattern = JSON.stringify(pattern);
    mapping.inputs.functionResponseTypes = [];
    const errors = checkExpiryStream(broken, expiry);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^expiry-stream filters/);
    expect(errors[1]).toBe("expiry-stream does not report batch item failures");
  });

  it("feeds only items holding unpublished events to the outbox publisher", () => {
    const want = {
      eventName: ["INSERT", "MODIFY"],
      dynamodb: { NewImage: { gsi4pk: { S: [OUTBOX_PARTITION] } } },
    };
    expect(checkStreamSubscriber(ci, "publish-outbox", want)).toEqual([]);
    // The table's stream advises at most two readers: these two are all there are.
    const streamReaders = ofType(ci, "aws:lambda/eventSourceMapping:EventSourceMapping").filter(
      (m) => String(m.inputs.eventSourceArn).includes(":dynamodb:"),
    );
    expect(streamReaders).toHaveLength(2);
  });
});

describe("the schedule's fan-out", () => {
  it("hands claimed runs to the launch queue, consumed in batches with partial failures, capped, with a dead-letter queue", () => {
    const queues = ofType(ci, "aws:sqs/queue:Queue");
    const launch = queues.find((q) => q.name === "LaunchQueueQueue")!;
    const failures = queues.find((q) => q.name === "LaunchFailuresQueue")!;
    expect(launch.inputs.visibilityTimeoutSeconds).toBe(LAUNCH_QUEUE.visibilityTimeoutSeconds);
    expect(JSON.parse(String(launch.inputs.redrivePolicy))).toMatchObject({
      maxReceiveCount: LAUNCH_QUEUE.maxReceiveCount,
    });
    expect(String(launch.inputs.redrivePolicy)).toContain(String(failures.inputs.name));
    const mapping = ofType(ci, "aws:lambda/eventSourceMapping:EventSourceMapping").find((m) =>
      String(m.inputs.eventSourceArn).endsWith(`:${launch.inputs.name}`),
    )!;
    expect(mapping.inputs).toMatchObject({
      functionName: lambdaArn(lambdaFor(ci, "launch-run")!),
      batchSize: LAUNCH_QUEUE.batchSize,
      functionResponseTypes: ["ReportBatchItemFailures"],
      scalingConfig: { maximumConcurrency: LAUNCH_QUEUE.maximumConcurrency },
    });
    // The dispatcher may send to it; only the launcher reads it.
    const dispatch = lambdaFor(ci, "dispatch")!;
    expect(
      String(dispatch.inputs.environment && JSON.stringify(dispatch.inputs.environment)),
    ).toContain("WARDEN_LAUNCH_QUEUE_URL");
  });
});

describe("alarms", () => {
  const expected = {
    notifierFile: "notify-slack",
    // The series our EMF lines write (functions/metrics.ts): always with the service dimension.
    customMetric: {
      namespace: METRICS_NAMESPACE,
      name: MetricName.notifyFailed,
      dimension: ["service", SERVICE_NAME] as [string, string],
    },
  };

  it("watch failed executions, dead-letter queues and the notifier, and notify a topic", () => {
    expect(checkAlarms(ci, expected)).toEqual([]);
    const alarms = ofType(ci, "aws:cloudwatch/metricAlarm:MetricAlarm");
    // Five dead-letter queues by depth, the launch queue by the age of its oldest message.
    expect(alarms.filter((a) => a.inputs.namespace === "AWS/SQS")).toHaveLength(6);
    // Failed and timed-out executions of the three workflows.
    expect(alarms.filter((a) => a.inputs.namespace === "AWS/States")).toHaveLength(6);
    // Targets out of their freshness objective, on the series the sweeper's EMF lines write.
    expect(
      alarms.find((a) => a.inputs.metricName === MetricName.freshnessBreached)?.inputs,
    ).toMatchObject({
      namespace: METRICS_NAMESPACE,
      dimensions: { service: SERVICE_NAME },
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
    });
  });

  it("notices a missing alarm and one that notifies no one", () => {
    const broken = clone(ci);
    const alarms = ofType(broken, "aws:cloudwatch/metricAlarm:MetricAlarm");
    const failed = alarms.find((a) => a.inputs.metricName === "ExecutionsFailed")!;
    broken.resources = broken.resources.filter((r) => r !== failed);
    alarms.find((a) => a.inputs.metricName === "Errors")!.inputs.alarmActions = [];
    const errors = checkAlarms(broken, expected);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^no ExecutionsFailed alarm for /);
    expect(errors[1]).toMatch(/notifies no one$/);
  });
});

describe("IAM", () => {
  it("grants each function exactly what its declaration derives to, on our resources only", () => {
    expect(checkDerivedPolicies(ci, serviceGrants(ci))).toEqual([]);
    expect(checkDerivedPolicies(prod, serviceGrants(prod))).toEqual([]);
  });

  it("keeps vendor credentials away from the API and webhooks away from everyone but Slack", () => {
    const readers = (prefix: string) =>
      ofType(ci, TYPES.lambda)
        .filter((fn) =>
          grantsOf(roleOf(ci, fn)!).some(
            (g) => g.action === "secretsmanager:GetSecretValue" && g.resource.includes(prefix),
          ),
        )
        .map((fn) => ci.builds.find((b) => `${b.functionID}Function` === fn.name)?.entry)
        .sort();
    expect(readers("/ci/providers/")).toEqual(
      [
        "delete-provider-backup",
        "poll-backup",
        "poll-deletion",
        "poll-restore",
        "preview-restore",
        "reconcile",
        "start-backup",
        "start-restore",
        "validate-target",
      ].map((f) => `functions/lambda/${f}.ts`),
    );
    expect(readers("/ci/webhooks/")).toEqual(
      ["notify-slack", "slack-digest"].map((f) => `functions/lambda/${f}.ts`),
    );
  });

  it("lets only Lambda assume function roles, and only our state machines' Step Functions theirs", () => {
    expect(checkTrust(ci)).toEqual([]);
    const broken = clone(ci);
    const machineRole = ofType(broken, TYPES.role).find((r) => r.name === "CreateBackupRole")!;
    const policy = JSON.parse(String(machineRole.inputs.assumeRolePolicy));
    delete policy.Statement[0].Condition;
    machineRole.inputs.assumeRolePolicy = JSON.stringify(policy);
    const fnRole = roleOf(broken, lambdaFor(broken, "validate-target")!)!;
    fnRole.inputs.assumeRolePolicy = JSON.stringify({
      Statement: [
        {
          Effect: "Allow",
          Action: "sts:AssumeRole",
          Principal: { Service: "lambda.amazonaws.com", AWS: "arn:aws:iam::123456789012:root" },
        },
      ],
    });
    expect(checkTrust(broken).sort()).toEqual([
      "CreateBackupRole trusts Step Functions of any account",
      "CreateBackupRole trusts any state machine",
      `${fnRole.name} may be assumed by "arn:aws:iam::123456789012:root"`,
    ]);
  });

  it("has no wildcard actions and no data access on *", () => {
    expect(checkNoWildcards(ci)).toEqual([]);
  });

  it("notices a wildcard, a grant the declaration does not derive, and a missing grant", () => {
    const broken = clone(ci);
    const role = roleOf(broken, lambdaFor(broken, "poll-backup")!)!;
    const inline = (role.inputs.inlinePolicies as { policy: string }[])[0]!;
    const policy = JSON.parse(inline.policy);
    const getItem = policy.Statement.find((st: { Action: string[] }) =>
      st.Action.includes("dynamodb:GetItem"),
    );
    getItem.Action = ["dynamodb:*"];
    policy.Statement.push({ Effect: "Allow", Action: ["states:StartExecution"], Resource: "*" });
    inline.policy = JSON.stringify(policy);
    expect(checkNoWildcards(broken)).toEqual([
      `${role.name} grants wildcard action dynamodb:*`,
      `${role.name} grants states:StartExecution on *`,
    ]);
    const errors = checkDerivedPolicies(broken, serviceGrants(broken));
    expect(errors.filter((e) => e.startsWith("poll-backup lacks dynamodb:GetItem"))).toHaveLength(
      1,
    );
    expect(errors).toContain("poll-backup also has states:StartExecution *");
    expect(errors.some((e) => e.startsWith("poll-backup also has dynamodb:* "))).toBe(true);
  });
});
