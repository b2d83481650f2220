import middy from "@middy/core";
import type { APIGatewayProxyResultV2, Context } from "aws-lambda";
import type * as z from "zod";
import { problem } from "../lib/api/http.ts";
import { ValidationError } from "../lib/core/errors.ts";
import { DynamoDBStreamEvent, EventBridgeEnvelope, HttpApiEventV2, SqsEvent } from "./envelopes.ts";
import { errorFields, type LogKeys, log, withLogKeys } from "./log.ts";
import type { FunctionName } from "./manifest.ts";
import { contextOf, type FunctionContext } from "./root.ts";

/*
 * One middy preset per kind of trigger. Each parses the AWS envelope with its zod schema
 * (functions/envelopes.ts) before the body runs, scopes every log line of the invocation to
 * the function, the Lambda request id and the ids the event is about, and logs a failure
 * with those ids before it propagates.
 */

function keysOf(name: FunctionName, context: Context | undefined, ids: LogKeys): LogKeys {
  return { function: name, requestId: context?.awsRequestId, ...ids };
}

/**
 * Runs `body` inside the invocation's log scope; a failure is logged there (with every id
 * the invocation added on its way) before it propagates.
 */
function inScope<R>(
  name: FunctionName,
  context: Context | undefined,
  ids: LogKeys,
  body: () => Promise<R>,
): Promise<R> {
  return withLogKeys(keysOf(name, context, ids), async () => {
    try {
      return await body();
    } catch (error) {
      log("error", `${name} failed`, errorFields(error));
      throw error;
    }
  });
}

/** The ids a workflow task's input carries (ASL `Parameters`). */
function taskIds(event: unknown): LogKeys {
  const input = (event ?? {}) as { backupId?: unknown; execution?: unknown };
  return {
    ...(typeof input.backupId === "string" ? { backupId: input.backupId } : {}),
    ...(typeof input.execution === "string" ? { execution: input.execution } : {}),
  };
}

/**
 * A workflow task entry point: the Task input is parsed with its zod schema, the task
 * body runs with the function's context, and errors keep their `name`, which the state
 * machine's Retry/Catch blocks match on.
 *
 * @example export const handler = withTask("poll-backup", TaskInputs.poll, (input, c) => backupTasks(c).pollBackup(input));
 */
export function withTask<S extends z.ZodType, R>(
  name: FunctionName,
  schema: S,
  body: (input: z.infer<S>, c: FunctionContext) => Promise<R>,
) {
  return middy<unknown, R>().handler((event: unknown, context: Context) =>
    inScope(name, context, taskIds(event), async () => {
      const parsed = schema.safeParse(event);
      if (!parsed.success) {
        throw new ValidationError(`invalid input for task ${name}`, [
          {
            path: parsed.error.issues[0]?.path.join(".") ?? "",
            message: parsed.error.issues[0]?.message ?? "",
          },
        ]);
      }
      return body(parsed.data, contextOf(name));
    }),
  );
}

/** The ids an API path or query names: `/v1/targets/{id}`, `?targetId=…`. */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function requestIds(event: unknown): LogKeys {
  const e = (event ?? {}) as { rawPath?: unknown; queryStringParameters?: Record<string, string> };
  const ids: LogKeys = {};
  const path = typeof e.rawPath === "string" ? e.rawPath : "";
  const match = /^\/v1\/(targets|backups|policies)\/([^/]+)/.exec(path);
  if (match) {
    const key = ({ targets: "targetId", backups: "backupId", policies: "policyId" } as const)[
      match[1] as "targets" | "backups" | "policies"
    ];
    // A malformed segment is the router's to refuse (400); the logs keep it as sent.
    ids[key] = safeDecode(match[2]!).slice(0, 200);
  }
  for (const key of ["targetId", "policyId"] as const) {
    const value = e.queryStringParameters?.[key];
    if (value && !ids[key]) ids[key] = value.slice(0, 200);
  }
  return ids;
}

/**
 * The HTTP API entry point (API Gateway HTTP API, payload 2.0): the event is checked
 * against its schema, turned into a plain request and dispatched over the route table.
 */
export function withHttp(
  name: FunctionName,
  dispatch: (
    c: FunctionContext,
  ) => (request: {
    method: string;
    path: string;
    query: Record<string, string>;
    headers: Record<string, string | undefined>;
    body: string | undefined;
    caller?: string;
  }) => Promise<{ status: number; headers: Record<string, string>; body?: string }>,
) {
  return middy<unknown, APIGatewayProxyResultV2>().handler((event: unknown, context: Context) =>
    inScope(name, context, requestIds(event), async () => {
      const parsed = HttpApiEventV2.safeParse(event);
      if (!parsed.success) {
        const response = problem(400, "Bad Request", "malformed API Gateway event");
        return { statusCode: response.status, headers: response.headers, body: response.body };
      }
      const e = parsed.data;
      const headers: Record<string, string | undefined> = {};
      for (const [key, value] of Object.entries(e.headers ?? {}))
        headers[key.toLowerCase()] = value;
      const body =
        e.body === undefined
          ? undefined
          : e.isBase64Encoded
            ? Buffer.from(e.body, "base64").toString("utf8")
            : e.body;
      const response = await dispatch(contextOf(name))({
        method: e.requestContext.http.method.toUpperCase(),
        path: e.rawPath,
        query: e.queryStringParameters ?? {},
        headers,
        body,
        caller: e.requestContext.authorizer?.iam?.userArn ?? "local token",
      });
      return {
        statusCode: response.status,
        headers: response.headers,
        body: response.body ?? "",
      };
    }),
  );
}

/**
 * A scheduled entry point (an EventBridge schedule): the scheduled event is checked against
 * the EventBridge envelope, the body runs with the context (and Lambda's, for the time left).
 */
export function withSchedule<R>(
  name: FunctionName,
  body: (c: FunctionContext, lambda: Context) => Promise<R>,
) {
  return middy<unknown, R>().handler((event: unknown, context: Context) =>
    inScope(name, context, {}, async () => {
      const parsed = EventBridgeEnvelope.safeParse(event);
      if (!parsed.success) throw new ValidationError(`invalid scheduled event for ${name}`, []);
      return body(contextOf(name), context);
    }),
  );
}

/**
 * A DynamoDB stream entry point: records are parsed (images unmarshalled); the body
 * returns the records that failed, reported per record so the event source retries only
 * those (ReportBatchItemFailures).
 */
export function withStream(
  name: FunctionName,
  body: (
    records: z.infer<typeof DynamoDBStreamEvent>["Records"],
    c: FunctionContext,
  ) => Promise<string[]>,
) {
  return middy<unknown, { batchItemFailures: { itemIdentifier: string }[] }>().handler(
    (event: unknown, context: Context) =>
      inScope(name, context, {}, async () => {
        const parsed = DynamoDBStreamEvent.safeParse(event);
        if (!parsed.success) {
          throw new ValidationError(`invalid DynamoDB stream event for ${name}`, []);
        }
        const failed = await body(parsed.data.Records, contextOf(name));
        return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
      }),
  );
}

/**
 * An SQS entry point (an event source mapping with ReportBatchItemFailures): each
 * message's body is parsed with its schema and handed to the body one at a time, several
 * at once; the messages whose body threw are reported, so only they are delivered again
 * (and, past the queue's receive limit, land in its dead-letter queue). A message whose
 * body does not parse is reported too, never half-processed.
 */
export function withQueue<S extends z.ZodType>(
  name: FunctionName,
  schema: S,
  body: (message: z.infer<S>, c: FunctionContext) => Promise<unknown>,
) {
  return middy<unknown, { batchItemFailures: { itemIdentifier: string }[] }>().handler(
    (event: unknown, context: Context) =>
      inScope(name, context, {}, async () => {
        const parsed = SqsEvent.safeParse(event);
        if (!parsed.success) throw new ValidationError(`invalid SQS event for ${name}`, []);
        const c = contextOf(name);
        const failed: string[] = [];
        await Promise.all(
          parsed.data.Records.map(async (record) => {
            try {
              const message = schema.safeParse(JSON.parse(record.body));
              if (!message.success) throw new ValidationError(`invalid message for ${name}`, []);
              await body(message.data, c);
            } catch (error) {
              log("warn", `message ${record.messageId} failed; it is delivered again`, {
                ...errorFields(error),
                receiveCount: record.attributes.ApproximateReceiveCount,
              });
              failed.push(record.messageId);
            }
          }),
        );
        return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
      }),
  );
}

/** An EventBridge event whose detail passed its schema. */
export type ReceivedEvent<D> = Omit<z.infer<typeof EventBridgeEnvelope>, "detail"> & { detail: D };

/** The ids a domain event's detail carries. */
function eventIds(event: unknown): LogKeys {
  const e = (event ?? {}) as { "detail-type"?: unknown; detail?: Record<string, unknown> };
  const d = e.detail ?? {};
  const text = (v: unknown) => (typeof v === "string" ? v.slice(0, 200) : undefined);
  return {
    detailType: text(e["detail-type"]),
    backupId: text(d.backupId),
    targetId: text(d.targetId),
    policyId: text(d.policyId),
    vendor: text(d.provider),
  };
}

/**
 * An EventBridge target entry point (a rule on our bus, or a schedule that reads its
 * envelope): the envelope and the detail are checked with their schemas. A malformed
 * event is logged and rejected with a ValidationError, so it lands in the target's
 * dead-letter queue instead of being half-processed.
 *
 * @example export const handler = withEvent("notify-slack", AnyEventDetail, (event, c) => slack(c).notifier.notify(event));
 */
export function withEvent<S extends z.ZodType, R>(
  name: FunctionName,
  schema: S,
  body: (event: ReceivedEvent<z.infer<S>>, c: FunctionContext) => Promise<R>,
) {
  const envelope = EventBridgeEnvelope.extend({ detail: schema });
  return middy<unknown, R>().handler((event: unknown, context: Context) =>
    inScope(name, context, eventIds(event), async () => {
      const parsed = envelope.safeParse(event);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ValidationError("invalid EventBridge event", [
          { path: issue?.path.join(".") ?? "", message: issue?.message ?? "" },
        ]);
      }
      return body(parsed.data as ReceivedEvent<z.infer<S>>, contextOf(name));
    }),
  );
}

/**
 * A function invoked directly with a JSON payload (Lambda `Invoke`, RequestResponse): the
 * payload is parsed like a task's input, and a thrown error keeps its `name`, which the
 * caller reads from Lambda's error document.
 */
export const withInvoke = withTask;
