import { randomUUID } from "node:crypto";

/** How long a local invocation may run, as a Lambda's timeout (the longest any stack gives). */
const LOCAL_TIMEOUT_MS = 60_000;

/**
 * A Lambda context as the runtime passes it to a handler, for local invocations: the
 * remaining time counts down from {@link LOCAL_TIMEOUT_MS}, as on Lambda, so a handler that
 * paces itself by it (the dispatcher's tick) does so locally too.
 */
export function lambdaContext(functionName: string) {
  const deadline = Date.now() + LOCAL_TIMEOUT_MS;
  return {
    awsRequestId: randomUUID(),
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: functionName,
    memoryLimitInMB: "512",
    logGroupName: `/local/${functionName}`,
    logStreamName: "local",
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
