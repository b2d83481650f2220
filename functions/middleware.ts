import middy, { type MiddlewareObj } from "@middy/core";
import type { APIGatewayProxyResultV2, Context } from "aws-lambda";
import type * as z from "zod";
import { problem } from "../lib/api/http.ts";
import { ValidationError } from "../lib/core/errors.ts";
import { DynamoDBStreamEvent, HttpApiEventV2 } from "./envelopes.ts";
import { errorFields, log } from "./log.ts";
import { type Container, container } from "./wiring.ts";

/** Logs a failed invocation with safe fields; the error still propagates. */
function logErrors(kind: string): MiddlewareObj {
  return {
    onError: (request) => {
      log("error", `${kind} failed`, {
        requestId: (request.context as Context | undefined)?.awsRequestId,
        ...errorFields(request.error),
      });
    },
  };
}

/**
 * A workflow task entry point: the Task input is parsed with its zod schema, the task
 * body runs with the container, and errors keep their `name`, which the state machine's
 * Retry/Catch blocks match on.
 *
 * @example export const handler = withTask("poll-backup", TaskInputs.poll, (input, c) => c.tasks.pollBackup(input));
 */
export function withTask<S extends z.ZodType, R>(
  name: string,
  schema: S,
  body: (input: z.infer<S>, c: Container) => Promise<R>,
) {
  return middy<unknown, R>()
    .use(logErrors(`task ${name}`))
    .handler(async (event: unknown) => {
      const parsed = schema.safeParse(event);
      if (!parsed.success) {
        throw new ValidationError(`invalid input for task ${name}`, [
          {
            path: parsed.error.issues[0]?.path.join(".") ?? "",
            message: parsed.error.issues[0]?.message ?? "",
          },
        ]);
      }
      return body(parsed.data, container());
    });
}

/**
 * The HTTP API entry point (API Gateway HTTP API, payload 2.0): the event is checked
 * with Powertools' schema, turned into a plain request and dispatched over the route table.
 */
export function withHttp() {
  return middy<unknown, APIGatewayProxyResultV2>()
    .use(logErrors("api"))
    .handler(async (event: unknown) => {
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
      const response = await container().api({
        method: e.requestContext.http.method.toUpperCase(),
        path: e.rawPath,
        query: e.queryStringParameters ?? {},
        headers,
        body,
        caller: e.requestContext.authorizer?.iam?.userArn ?? "local token",
      });
      return { statusCode: response.status, headers: response.headers, body: response.body ?? "" };
    });
}

/**
 * A scheduled entry point (EventBridge schedule): the event is only a tick; its `time`
 * is logged, the body runs with the container.
 */
export function withSchedule<R>(name: string, body: (c: Container) => Promise<R>) {
  return middy<unknown, R>()
    .use(logErrors(`schedule ${name}`))
    .handler(async () => body(container()));
}

/**
 * A DynamoDB stream entry point: records are parsed with Powertools' schema (images
 * unmarshalled); the body returns the records that failed, reported per record so the
 * event source retries only those (ReportBatchItemFailures).
 */
export function withStream(
  name: string,
  body: (
    records: z.infer<typeof DynamoDBStreamEvent>["Records"],
    c: Container,
  ) => Promise<string[]>,
) {
  return middy<unknown, { batchItemFailures: { itemIdentifier: string }[] }>()
    .use(logErrors(`stream ${name}`))
    .handler(async (event: unknown) => {
      const parsed = DynamoDBStreamEvent.safeParse(event);
      if (!parsed.success) {
        throw new ValidationError(`invalid DynamoDB stream event for ${name}`, []);
      }
      const failed = await body(parsed.data.Records, container());
      return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
    });
}
