import { ErrorCode, WardenError } from "../core/errors.ts";
import { ProviderError, providerErrorClassOfName } from "../core/provider-error.ts";
import type { Target } from "../core/target.ts";
import { type FunctionErrorDocument, type InvokedFunction, invokeSync } from "./lambda-invoke.ts";
import { applyVerdict, type TargetValidator, ValidationVerdict } from "./target-validation.ts";

/**
 * Validates a target in the validate-target function, synchronously (RequestResponse): the
 * caller holds no vendor credentials. A 422 comes back as a verdict; a vendor failure as
 * the function's error, rebuilt here as the same {@link ProviderError} class (a 502).
 */
export class LambdaTargetValidator implements TargetValidator {
  readonly #function: InvokedFunction;

  constructor(validateTarget: InvokedFunction) {
    this.#function = validateTarget;
  }

  async validate(target: Target): Promise<void> {
    const { payload, error } = await invokeSync(this.#function, { target });
    if (error) throw remoteError(target, error);
    const verdict = ValidationVerdict.safeParse(payload);
    if (!verdict.success)
      throw new WardenError(ErrorCode.INTERNAL, 500, "target validation answered unreadably", {
        name: "TargetValidationError",
      });
    applyVerdict(verdict.data);
  }
}

function remoteError(target: Target, doc: FunctionErrorDocument): WardenError {
  const message = (doc.errorMessage ?? "target validation failed").slice(0, 1000);
  const cls = doc.errorType ? providerErrorClassOfName(doc.errorType) : undefined;
  if (cls) return new ProviderError({ cls, provider: target.provider, message });
  return new WardenError(ErrorCode.INTERNAL, 500, `target validation failed: ${message}`, {
    name: "TargetValidationError",
  });
}
