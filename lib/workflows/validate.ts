import aslValidator from "asl-validator";

/**
 * Validates a state machine definition against the Amazon States Language schema
 * (asl-validator), the same check the stacks' tests apply before deploying it.
 *
 * @returns the validation errors as text; empty when the definition is valid.
 */
export function aslErrors(definition: unknown): string {
  const { isValid, errorsText } = aslValidator(definition as never);
  return isValid ? "" : errorsText("\n");
}
