import type { FunctionName } from "../functions/manifest.ts";
import { failureQueue, wardenFunction } from "./functions.ts";
import { table } from "./storage.ts";

/**
 * A function on the table's stream, as both subscribers are built: only the records the
 * filter passes reach it, a failing record is retried alone (batch item failures, bisected)
 * up to ten times, then lands in its own dead-letter queue. Besides what its code calls,
 * Lambda uses its role to read the stream and to send failed batches to that queue.
 * DynamoDB advises at most two readers per stream: the expiry and outbox subscribers.
 */
export function streamSubscriber(
  name: string,
  file: FunctionName,
  options: {
    description: string;
    filter: Record<string, unknown>;
    /** The subscription's own name (kept stable: renaming it replaces the mapping). */
    subscription: string;
    failures: string;
  },
) {
  const failures = failureQueue(options.failures);
  const fn = wardenFunction(name, file, {
    description: options.description,
    servicePermissions: [
      {
        actions: [
          "dynamodb:DescribeStream",
          "dynamodb:GetRecords",
          "dynamodb:GetShardIterator",
          "dynamodb:ListStreams",
        ],
        resources: [$interpolate`${table.arn}/stream/*`],
      },
      { actions: ["sqs:SendMessage"], resources: [failures.arn] },
    ],
    timeout: "1 minute",
    memory: "512 MB",
  });
  table.subscribe(options.subscription, fn.arn, {
    filters: [options.filter],
    transform: {
      eventSourceMapping: (args) => {
        args.functionResponseTypes = ["ReportBatchItemFailures"];
        args.bisectBatchOnFunctionError = true;
        args.maximumRetryAttempts = 10;
        args.destinationConfig = { onFailure: { destinationArn: failures.arn } };
      },
    },
  });
  return { fn, failures };
}
