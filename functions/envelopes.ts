import { unmarshall } from "@aws-sdk/util-dynamodb";
import * as z from "zod";

/*
 * The AWS event envelopes our entry points accept, as zod schemas.
 *
 * Written here rather than taken from @aws-lambda-powertools/parser: its schemas import
 * `{ z } from "zod"`, which defeats tree-shaking and added ~350 KB to every bundle
 * (measured with scripts/build-functions.ts), past the 500 KB gate. These keep only the
 * fields we read, with the same names and shapes as Powertools' and AWS's documentation.
 */

/** API Gateway HTTP API, payload format 2.0. */
export const HttpApiEventV2 = z.object({
  version: z.literal("2.0"),
  rawPath: z.string(),
  rawQueryString: z.string(),
  headers: z.record(z.string(), z.string()).default({}),
  queryStringParameters: z.record(z.string(), z.string()).optional(),
  requestContext: z.object({
    http: z.object({ method: z.string().min(1), path: z.string() }),
    requestId: z.string(),
    authorizer: z
      .object({ iam: z.object({ userArn: z.string().optional() }).partial().optional() })
      .partial()
      .optional(),
  }),
  body: z.string().optional(),
  isBase64Encoded: z.boolean(),
});
export type HttpApiEventV2 = z.infer<typeof HttpApiEventV2>;

/** A DynamoDB attribute map, unmarshalled into plain values. */
const Image = z.record(z.string(), z.unknown()).transform((image, ctx) => {
  try {
    return unmarshall(image as never) as Record<string, unknown>;
  } catch {
    ctx.addIssue({ code: "custom", message: "not a DynamoDB attribute map" });
    return z.NEVER;
  }
});

/** One DynamoDB Streams record (images unmarshalled). */
export const DynamoDBStreamRecord = z.object({
  eventID: z.string(),
  eventName: z.enum(["INSERT", "MODIFY", "REMOVE"]),
  eventSource: z.literal("aws:dynamodb"),
  userIdentity: z.object({ type: z.string(), principalId: z.string() }).optional(),
  dynamodb: z.object({
    Keys: Image,
    OldImage: Image.optional(),
    NewImage: Image.optional(),
    SequenceNumber: z.string(),
  }),
});

/** A DynamoDB Streams event as Lambda's event source mapping delivers it. */
export const DynamoDBStreamEvent = z.object({ Records: z.array(DynamoDBStreamRecord) });

/** An EventBridge event (a rule target or a schedule). */
export const EventBridgeEnvelope = z.object({
  version: z.string(),
  id: z.string(),
  "detail-type": z.string(),
  source: z.string(),
  account: z.string(),
  time: z.iso.datetime({ offset: true }),
  region: z.string(),
  resources: z.array(z.string()),
  detail: z.unknown(),
});

/** One SQS message as Lambda's event source mapping delivers it. */
export const SqsRecord = z.object({
  messageId: z.string(),
  body: z.string(),
  attributes: z.object({ ApproximateReceiveCount: z.string() }).partial().default({}),
  eventSource: z.literal("aws:sqs"),
  eventSourceARN: z.string(),
});

/** An SQS event (a batch of messages). */
export const SqsEvent = z.object({ Records: z.array(SqsRecord) });
