import { randomUUID } from "node:crypto";

/** A Lambda context as the runtime passes it to a handler, for local invocations. */
export function lambdaContext(functionName: string) {
  return {
    awsRequestId: randomUUID(),
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: functionName,
    memoryLimitInMB: "512",
    logGroupName: `/local/${functionName}`,
    logStreamName: "local",
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 60_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
