import type { LambdaClient } from "@aws-sdk/client-lambda";
import * as z from "zod";

/** How a function that another function invokes is reached. */
export interface InvokedFunction {
  /** The Lambda client, built on first use (the SDK is loaded only then). */
  client: () => Promise<Pick<LambdaClient, "send">>;
  /** Name or ARN of the function. */
  functionName: string;
}

/** The document Lambda returns for a handler that threw. */
const FunctionErrorDocument = z.object({
  errorType: z.string().optional(),
  errorMessage: z.string().optional(),
});
export type FunctionErrorDocument = z.infer<typeof FunctionErrorDocument>;

/**
 * Invokes a function synchronously (RequestResponse) with a JSON payload: its answer, or
 * the error document of a handler that threw (`error`, never thrown here).
 */
export async function invokeSync(
  target: InvokedFunction,
  payload: unknown,
): Promise<{ payload: unknown; error?: FunctionErrorDocument }> {
  const [client, { InvokeCommand }] = await Promise.all([
    target.client(),
    import("@aws-sdk/client-lambda"),
  ]);
  const out = await client.send(
    new InvokeCommand({
      FunctionName: target.functionName,
      InvocationType: "RequestResponse",
      Payload: new TextEncoder().encode(JSON.stringify(payload)),
    }),
  );
  const answer = parseJson(new TextDecoder().decode(out.Payload ?? new Uint8Array()));
  if (out.FunctionError)
    return { payload: answer, error: FunctionErrorDocument.safeParse(answer).data ?? {} };
  return { payload: answer };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
