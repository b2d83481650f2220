import { EXPIRY_ENTITY } from "../lib/store/keys.ts";
import { TTL_PRINCIPAL } from "../lib/store/table.ts";
import { failureQueue, wardenFunction } from "./functions.ts";
import { table } from "./storage.ts";

/** Only expiry markers removed by DynamoDB TTL reach the function. */
export const EXPIRY_FILTER = {
  eventName: ["REMOVE"],
  userIdentity: { type: [TTL_PRINCIPAL.type], principalId: [TTL_PRINCIPAL.principalId] },
  dynamodb: { OldImage: { entity: { S: [EXPIRY_ENTITY] } } },
};

/** Records still failing after the retries land here (the sweeper also covers them). */
export const expiryFailures = failureQueue("ExpiryFailures");

/**
 * An expired marker starts its backup's expiry (delete-backup) and announces it. Besides
 * what its code calls, Lambda uses its role to read the stream and to send failed batches
 * to {@link expiryFailures}.
 */
export const expiryFunction = wardenFunction("ExpiryStream", "expiry-stream", {
  description: "backup-warden: TTL-expired markers start backup expiry",
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
    { actions: ["sqs:SendMessage"], resources: [expiryFailures.arn] },
  ],
  timeout: "1 minute",
  memory: "512 MB",
});

table.subscribe("Expiry", expiryFunction.arn, {
  filters: [EXPIRY_FILTER],
  transform: {
    eventSourceMapping: (args) => {
      args.functionResponseTypes = ["ReportBatchItemFailures"];
      args.bisectBatchOnFunctionError = true;
      args.maximumRetryAttempts = 10;
      args.destinationConfig = { onFailure: { destinationArn: expiryFailures.arn } };
    },
  },
});
