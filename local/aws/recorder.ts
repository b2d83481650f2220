import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { MiddlewareStack } from "@smithy/types";
import { type ArnContext, type IamCall, iamCallOf } from "./iam.ts";

/** One AWS API call a function made: what IAM must allow for it. */
export interface RecordedCall extends IamCall {
  function: string;
}

/** A client whose calls can be recorded (every AWS SDK v3 client). */
export interface RecordableClient {
  // biome-ignore lint/suspicious/noExplicitAny: any client's stack, whatever its input types
  middlewareStack: MiddlewareStack<any, any>;
}

/**
 * An SDK middleware that reports every call a function's client makes, as the IAM action
 * and resources it needs, before it is sent (so a call the endpoint refuses is recorded
 * too). The test suite records every function's calls this way and checks them against
 * the synthesized roles (test/permissions/matrix.ts).
 *
 * @example recordCalls(client, "api", "states", arns, (call) => calls.push(call));
 */
export function recordCalls(
  client: RecordableClient,
  functionName: string,
  /** The client's service, by its IAM prefix (`dynamodb`, `states`, …). */
  service: string,
  arns: ArnContext,
  sink: (call: RecordedCall) => void,
): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName ?? "").replace(/Command$/, "");
      const input = (args.input ?? {}) as Record<string, unknown>;
      sink({
        function: functionName,
        ...iamCallOf(service, operation, input, arns),
      });
      return next(args);
    },
    { step: "initialize", name: "wardenCallRecorder", override: true },
  );
}

/** A sink appending one JSON line per call to `file` (one file per process). */
export function jsonLinesSink(file: string): (call: RecordedCall) => void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  return (call) => appendFileSync(file, `${JSON.stringify(call)}\n`, { mode: 0o600 });
}
