import { createHash, randomUUID } from "node:crypto";
import type { LocalMessage } from "./queue.ts";

/*
 * The AWS events the local runtime invokes functions with, in the shapes AWS delivers
 * (the samples under test/fixtures/aws-events/ are the reference; test/functions checks
 * these builders against them).
 */

/** A request as the local HTTP server or a script makes it. */
export interface LocalRequest {
  method: string;
  /** Path and query, e.g. `/v1/backups?status=AVAILABLE`. */
  path: string;
  headers?: Record<string, string>;
  /** A string is sent as it is; anything else as JSON. */
  body?: unknown;
  /** The caller's identity, as the IAM authorizer reports it (a role ARN). */
  callerArn?: string;
}

/** An API Gateway HTTP API event (payload format 2.0), as API Gateway builds it. */
export function apiEvent(request: LocalRequest) {
  const url = new URL(request.path, "http://localhost");
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(request.headers ?? {}))
    headers[key.toLowerCase()] = value;
  const body =
    request.body === undefined
      ? undefined
      : typeof request.body === "string"
        ? request.body
        : JSON.stringify(request.body);
  if (body && !headers["content-type"]) headers["content-type"] = "application/json";
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams)
    query[key] = key in query ? `${query[key]},${value}` : value;
  const now = new Date();
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(url.search ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      ...(request.callerArn
        ? { authorizer: { iam: { accountId: "000000000000", userArn: request.callerArn } } }
        : {}),
      domainName: headers.host ?? "localhost",
      domainPrefix: "local",
      http: {
        method: request.method.toUpperCase(),
        path: url.pathname,
        protocol: "HTTP/1.1",
        sourceIp: "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey: "$default",
      stage: "$default",
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body ? { body } : {}),
    isBase64Encoded: false,
  };
}

/** An EventBridge event as a rule delivers it to its target (times in whole seconds). */
export function eventBridgeEvent<D>(
  detailType: string,
  source: string,
  detail: D,
  options: { resources?: string[]; time?: Date } = {},
) {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": detailType,
    source,
    account: "000000000000",
    time: (options.time ?? new Date()).toISOString().replace(/\.\d{3}Z$/, "Z"),
    region: "local",
    resources: options.resources ?? [],
    detail,
  };
}

/** An EventBridge scheduled event ("Scheduled Event" from aws.events), as a rule delivers it. */
export function scheduledEvent(rule: string, time = new Date()) {
  return eventBridgeEvent(
    "Scheduled Event",
    "aws.events",
    {},
    { resources: [`arn:aws:events:local:000000000000:rule/${rule}`], time },
  );
}

/** An SQS event as Lambda's event source mapping delivers a batch of a queue's messages. */
export function sqsEvent(queueArn: string, messages: readonly LocalMessage[]) {
  const [, , , region = "local"] = queueArn.split(":");
  return {
    Records: messages.map((m) => ({
      messageId: m.messageId,
      receiptHandle: `local-${m.messageId}-${m.receiveCount}`,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentAt),
        SenderId: "local",
        ApproximateFirstReceiveTimestamp: String(m.sentAt),
      },
      messageAttributes: {},
      md5OfBody: createHash("md5").update(m.body).digest("hex"),
      eventSource: "aws:sqs",
      eventSourceARN: queueArn,
      awsRegion: region,
    })),
  };
}
