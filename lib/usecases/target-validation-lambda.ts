import type { LambdaClient } from "@aws-sdk/client-lambda";
import * as z from "zod";
import { ErrorCode, WardenError } from "../core/errors.ts";
import { ProviderError, providerErrorClassOfName } from "../core/provider-error.ts";
import type { Target } from "../core/target.ts";
import { applyVerdict, type TargetValidator, ValidationVerdict } from "./target-validation.ts";

/** Options of {@link LambdaTargetValidator}. */
export interface LambdaTargetValidatorOptions {
  /** The Lambda client, built on first use (the SDK is loaded only then). */
  client: () => Promise<Pick<LambdaClient, "send">>;
  /** Name or ARN of the validate-target function. */
  functionName: string;
}

/** The document Lambda returns for a handler that threw. */
const FunctionErrorDocument = z.object({
  errorType: z.string().optional(),
  errorMessage: z.string().optional(),
});

/**
 * Validates a target in the validate-target function, synchronously (RequestResponse): the
 * caller holds no vendor credentials. A 422 comes back as a verdict; a vendor failure as
 * the function's error, rebuilt here as the same {@link ProviderError} class (a 502).
 */
export class LambdaTargetValidator implements TargetValidator {
  readonly #options: LambdaTargetValidatorOptions;

  constructor(options: LambdaTargetValidatorOptions) {
    this.#options = options;
  }

  async validate(target: Target): Promise<void> {
    const [client, { InvokeCommand }] = await Promise.all([
      this.#options.client(),
      import("@aws-sdk/client-lambda"),
    ]);
    const out = await client.send(
      new InvokeCommand({
        FunctionName: this.#options.functionName,
        InvocationType: "RequestResponse",
        Payload: new TextEncoder().encode(JSON.stringify({ target })),
      }),
    );
    const payload = parseJson(new TextDecoder().decode(out.Payload ?? new Uint8Array()));
    if (out.FunctionError) throw remoteError(target, FunctionErrorDocument.safeParse(payload).data);
    const verdict = ValidationVerdict.safeParse(payload);
    if (!verdict.success)
      throw new WardenError(ErrorCode.INTERNAL, 500, "target validation answered unreadably", {
        name: "TargetValidationError",
      });
    applyVerdict(verdict.data);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function remoteError(
  target: Target,
  doc: z.infer<typeof FunctionErrorDocument> | undefined,
): WardenError {
  const message = (doc?.errorMessage ?? "target validation failed").slice(0, 1000);
  const cls = doc?.errorType ? providerErrorClassOfName(doc.errorType) : undefined;
  if (cls) return new ProviderError({ cls, provider: target.provider, message });
  return new WardenError(ErrorCode.INTERNAL, 500, `target validation failed: ${message}`, {
    name: "TargetValidationError",
  });
}
