import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type ArnContext,
  accessDeniedMessage,
  deniedResources,
  type IamCall,
  type IamStatement,
  iamCallOf,
} from "./iam.ts";

/** One PutEvents entry, as EventBridge receives it. */
export interface LocalEventEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Time?: number | string;
  Resources?: string[];
}

/** What a local Lambda answered: its result, or the error document Lambda would return. */
export type LocalInvokeResult =
  | { result: unknown }
  | { error: { errorType: string; errorMessage: string } };

/** The local stand-ins each service's calls are carried out by. */
export interface LocalAwsBackends {
  /** dynalite (or DynamoDB Local): DynamoDB calls are forwarded there as they are. */
  dynamodbEndpoint: string;
  /** A secret's `SecretString` by its full name; `undefined` when there is none. */
  secret(secretId: string): Promise<string | undefined>;
  /** Starts an execution; `undefined` for an unknown state machine. */
  startExecution(
    stateMachineArn: string,
    name: string,
    input: unknown,
  ): Promise<{ started: boolean } | undefined>;
  /** Accepts events on the bus (the rules then deliver them). */
  putEvents(entries: LocalEventEntry[]): Promise<void>;
  /**
   * Accepts messages on a queue, by its URL; returns their ids, or `undefined` for a
   * queue that does not exist.
   */
  sendMessages?(queueUrl: string, bodies: string[]): string[] | undefined;
  /** Runs a function synchronously; `undefined` for an unknown function. */
  invoke(functionName: string, payload: unknown): Promise<LocalInvokeResult | undefined>;
  /** Told after every DynamoDB write that succeeded (the local stream's trigger). */
  onTableWrite?: (operation: string) => void;
}

/** The DynamoDB operations that change items. */
const WRITES = new Set(["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"]);

/** A call the endpoint refused because the caller's policy does not allow it. */
export interface Denial {
  identity: string;
  call: IamCall;
  resource: string;
}

/** Options of {@link startLocalAws}. */
export interface LocalAwsOptions {
  backends: LocalAwsBackends;
  /**
   * The Allow statements of an identity (a function name); `undefined`: unknown identity.
   * Asked once per identity: a function's statements do not change while it runs.
   */
  policyOf(identity: string): readonly IamStatement[] | undefined;
  arns: ArnContext;
  /** Told about every refused call (the local runtime logs it; tests fail on it). */
  onDenied?: (denial: Denial) => void;
}

/** A running local AWS endpoint. */
export interface LocalAws {
  url: string;
  /** Every call refused so far. */
  denials: Denial[];
  /**
   * Answers the next `times` calls of `action` (e.g. `states:StartExecution`) with the
   * service error `errorType` (HTTP `status`), as an AWS outage would: for fault tests.
   */
  fail(
    action: string,
    errorType: string,
    options?: {
      times?: number;
      status?: number;
      /** Only calls whose request input this accepts (e.g. a PutItem of one kind of item). */
      when?: (input: Record<string, unknown>) => boolean;
    },
  ): void;
  /** How many calls were answered with an injected fault so far. */
  readonly faultsAnswered: number;
  close(): Promise<void>;
}

/** `X-Amz-Target` prefix → IAM service prefix (the JSON protocols our clients speak). */
const TARGETS: Record<string, string> = {
  DynamoDB_20120810: "dynamodb",
  secretsmanager: "secretsmanager",
  AWSStepFunctions: "states",
  AWSEvents: "events",
  AmazonSQS: "sqs",
};

/** The access key id of a SigV4 `Authorization` header: who is calling. */
function identityOf(req: IncomingMessage): string | undefined {
  return /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ""))?.[1];
}

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function jsonReply(res: ServerResponse, status: number, body: unknown, version = "1.1") {
  res.writeHead(status, { "content-type": `application/x-amz-json-${version}` });
  res.end(JSON.stringify(body));
}

/** An error in Lambda's REST protocol: the header names it, the body says it. */
function lambdaError(res: ServerResponse, status: number, type: string, message: string) {
  res.writeHead(status, { "content-type": "application/json", "x-amzn-errortype": type });
  res.end(JSON.stringify({ Type: "User", message }));
}

/** An error in the awsJson protocols: `__type` names it, as the SDK reads it. */
function jsonError(res: ServerResponse, status: number, type: string, message: string) {
  res.writeHead(status, {
    "content-type": "application/x-amz-json-1.1",
    "x-amzn-errortype": type,
  });
  res.end(JSON.stringify({ __type: type, message, Message: message }));
}

/**
 * The local runtime's AWS: one loopback endpoint that speaks the parts of the DynamoDB,
 * Secrets Manager, Step Functions, EventBridge, SQS and Lambda APIs our functions call, so the
 * very adapters and SDK clients that run on AWS run locally too. Every call is authorized
 * first against the calling function's IAM statements (derived from its declaration, as
 * the stacks derive its role), and a call its role would not allow is answered with the
 * AccessDeniedException AWS would send — a function that reaches for something it did not
 * declare fails here as it would on AWS.
 */
export async function startLocalAws(options: LocalAwsOptions): Promise<LocalAws> {
  const denials: Denial[] = [];
  const faults: Array<{
    action: string;
    errorType: string;
    status: number;
    left: number;
    when?: (input: Record<string, unknown>) => boolean;
  }> = [];
  const { backends } = options;
  const policies = new Map<string, readonly IamStatement[] | undefined>();
  let answered = 0;

  /** The fault to answer `action` with, if one is armed (each answer uses one up). */
  const faultFor = (action: string, input: Record<string, unknown>) => {
    const fault = faults.find(
      (f) =>
        f.left > 0 && f.action.toLowerCase() === action.toLowerCase() && (f.when?.(input) ?? true),
    );
    if (fault) {
      fault.left--;
      answered++;
    }
    return fault;
  };

  /** Authorizes a call: `undefined` when allowed, else the message AWS would refuse it with. */
  const refusal = (req: IncomingMessage, call: IamCall): string | undefined => {
    const identity = identityOf(req) ?? "anonymous";
    if (!policies.has(identity)) policies.set(identity, options.policyOf(identity));
    const statements = policies.get(identity);
    if (!statements)
      return `The security token included in the request is invalid (unknown identity ${identity})`;
    const [resource] = deniedResources(statements, call);
    if (resource === undefined) return undefined;
    const denial = { identity, call, resource };
    denials.push(denial);
    options.onDenied?.(denial);
    return accessDeniedMessage(identity, call, resource, options.arns);
  };

  /** The one operation of each JSON-protocol service we answer ourselves, by its name. */
  const OPERATIONS: Record<
    string,
    Record<string, (res: ServerResponse, input: Record<string, unknown>) => Promise<void>>
  > = {
    secretsmanager: { GetSecretValue: getSecretValue },
    states: { StartExecution: startExecution },
    events: { PutEvents: putEvents },
    sqs: { SendMessageBatch: sendMessageBatch },
  };

  const server = createServer(async (req, res) => {
    try {
      const body = await bodyOf(req);
      const url = new URL(req.url ?? "/", "http://localhost");
      const invoke = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(url.pathname);
      if (invoke) {
        const functionName = decodeURIComponent(invoke[1]!);
        const call = iamCallOf("lambda", "Invoke", { FunctionName: functionName }, options.arns);
        const denied = refusal(req, call);
        if (denied === undefined) return await lambdaInvoke(res, functionName, body);
        return lambdaError(res, 403, "AccessDeniedException", denied);
      }
      const target = String(req.headers["x-amz-target"] ?? "");
      const [prefix, operation = ""] = target.split(".");
      const service = TARGETS[prefix ?? ""];
      if (!service) {
        return jsonError(res, 400, "UnknownOperationException", `unsupported target ${target}`);
      }
      const input =
        body.length > 0 ? (JSON.parse(body.toString("utf8")) as Record<string, unknown>) : {};
      const call = iamCallOf(service, operation, input, options.arns);
      const denied = refusal(req, call);
      if (denied !== undefined) {
        const type =
          service === "dynamodb"
            ? "com.amazon.coral.service#AccessDeniedException"
            : "AccessDeniedException";
        return jsonError(res, 400, type, denied);
      }
      const fault = faultFor(call.action, input);
      if (fault)
        return jsonError(res, fault.status, fault.errorType, `injected fault: ${fault.errorType}`);
      if (service === "dynamodb") return await forwardDynamo(req, res, body, operation);
      const answer = OPERATIONS[service]?.[operation];
      if (!answer)
        return jsonError(res, 400, "UnknownOperationException", `unsupported ${operation}`);
      return await answer(res, input);
    } catch (error) {
      jsonError(
        res,
        500,
        "InternalFailure",
        error instanceof Error ? error.message : String(error),
      );
    }
  });

  async function forwardDynamo(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    operation: string,
  ) {
    const headers: Record<string, string> = {};
    for (const name of ["content-type", "x-amz-target", "authorization", "x-amz-date"]) {
      const value = req.headers[name];
      if (typeof value === "string") headers[name] = value;
    }
    const answer = await fetch(backends.dynamodbEndpoint, { method: "POST", headers, body });
    const text = await answer.text();
    const out: Record<string, string> = {};
    for (const [k, v] of answer.headers)
      if (k !== "content-length" && k !== "transfer-encoding") out[k] = v;
    res.writeHead(answer.status, out);
    res.end(text);
    if (answer.ok && WRITES.has(operation)) backends.onTableWrite?.(operation);
  }

  async function getSecretValue(res: ServerResponse, input: Record<string, unknown>) {
    const id = String(input.SecretId ?? "");
    const value = await backends.secret(id);
    if (value === undefined)
      return jsonError(
        res,
        400,
        "ResourceNotFoundException",
        "Secrets Manager can't find the specified secret.",
      );
    jsonReply(res, 200, {
      ARN: `arn:aws:secretsmanager:${options.arns.region}:${options.arns.account}:secret:${id}-local`,
      Name: id,
      SecretString: value,
      VersionId: "local",
      VersionStages: ["AWSCURRENT"],
      CreatedDate: Math.floor(Date.now() / 1000),
    });
  }

  async function startExecution(res: ServerResponse, input: Record<string, unknown>) {
    const arn = String(input.stateMachineArn ?? "");
    const name = String(input.name ?? randomUUID());
    const started = await backends.startExecution(
      arn,
      name,
      JSON.parse(String(input.input ?? "{}")),
    );
    if (!started)
      return jsonError(
        res,
        400,
        "StateMachineDoesNotExist",
        `State Machine Does Not Exist: '${arn}'`,
      );
    if (!started.started)
      return jsonError(res, 400, "ExecutionAlreadyExists", `Execution Already Exists: '${name}'`);
    jsonReply(
      res,
      200,
      {
        executionArn: `${arn.replace(":stateMachine:", ":execution:")}:${name}`,
        startDate: Date.now() / 1000,
      },
      "1.0",
    );
  }

  async function putEvents(res: ServerResponse, input: Record<string, unknown>) {
    const entries = (Array.isArray(input.Entries) ? input.Entries : []) as LocalEventEntry[];
    try {
      await backends.putEvents(entries);
    } catch {
      // The local bus acknowledges only what its targets handled: the entries are refused
      // (a code the publisher does not retry at once), and their outbox keeps them.
      return jsonReply(res, 200, {
        FailedEntryCount: entries.length,
        Entries: entries.map(() => ({
          ErrorCode: "TargetDeliveryFailed",
          ErrorMessage:
            "a target of the local bus did not handle the event; it is published again later",
        })),
      });
    }
    jsonReply(res, 200, {
      FailedEntryCount: 0,
      Entries: entries.map(() => ({ EventId: randomUUID() })),
    });
  }

  async function sendMessageBatch(res: ServerResponse, input: Record<string, unknown>) {
    const entries = (Array.isArray(input.Entries) ? input.Entries : []) as Array<{
      Id?: string;
      MessageBody?: string;
    }>;
    if (entries.length === 0 || entries.length > 10)
      return jsonError(
        res,
        400,
        entries.length === 0
          ? "AWS.SimpleQueueService.EmptyBatchRequest"
          : "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
        "a batch holds 1 to 10 entries",
      );
    const ids = backends.sendMessages?.(
      String(input.QueueUrl ?? ""),
      entries.map((e) => String(e.MessageBody ?? "")),
    );
    if (!ids)
      return jsonError(
        res,
        400,
        "AWS.SimpleQueueService.NonExistentQueue",
        "The specified queue does not exist.",
      );
    // The SDK checks each body's MD5 against the answer, as SQS computes it.
    jsonReply(
      res,
      200,
      {
        Successful: entries.map((e, i) => ({
          Id: e.Id,
          MessageId: ids[i],
          MD5OfMessageBody: createHash("md5")
            .update(String(e.MessageBody ?? ""))
            .digest("hex"),
        })),
        Failed: [],
      },
      "1.0",
    );
  }

  async function lambdaInvoke(res: ServerResponse, functionName: string, body: Buffer) {
    const payload = body.length > 0 ? JSON.parse(body.toString("utf8")) : {};
    const answer = await backends.invoke(functionName, payload);
    if (!answer)
      return lambdaError(
        res,
        404,
        "ResourceNotFoundException",
        `Function not found: ${functionName}`,
      );
    // A handler that threw is still a 200: Lambda reports it in X-Amz-Function-Error.
    res.writeHead(200, {
      "content-type": "application/json",
      ...("error" in answer ? { "x-amz-function-error": "Unhandled" } : {}),
    });
    res.end(
      JSON.stringify("error" in answer ? { ...answer.error, trace: [] } : (answer.result ?? null)),
    );
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    denials,
    get faultsAnswered() {
      return answered;
    },
    fail: (action, errorType, opts = {}) => {
      faults.push({
        action,
        errorType,
        status: opts.status ?? 400,
        left: opts.times ?? 1,
        ...(opts.when ? { when: opts.when } : {}),
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
