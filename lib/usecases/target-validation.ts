import * as z from "zod";
import { ConfigurationError, ValidationError } from "../core/errors.ts";
import { ProviderError } from "../core/provider-error.ts";
import type { Target } from "../core/target.ts";
import type { ProviderFactory } from "../providers/registry.ts";

/**
 * Checks a new target before it is stored: its secret exists with the right shape and the
 * vendor resource can be backed up (e.g. DCS refuses single-node instances). Resolves when
 * it can be registered; rejects with a 422 {@link ValidationError} for what the caller can
 * fix, and with a {@link ProviderError} when the vendor could not be asked (a 502).
 */
export interface TargetValidator {
  validate(target: Target): Promise<void>;
}

/** Vendor classes that mean "this target is wrong", not "the vendor is down". */
const CALLER_FIXABLE = new Set(["AUTH", "NOT_FOUND", "INVALID", "QUOTA"]);

/**
 * Validates at the vendor, with the target's credentials: runs only where provider
 * secrets may be read (the validate-target function), never in the internet-facing API.
 */
export class VendorTargetValidator implements TargetValidator {
  readonly #providers: ProviderFactory;

  constructor(providers: ProviderFactory) {
    this.#providers = providers;
  }

  async validate(target: Target): Promise<void> {
    try {
      const provider = await this.#providers(target);
      await provider.validateTarget?.();
    } catch (error) {
      if (error instanceof ConfigurationError) {
        throw new ValidationError(
          error.message,
          [{ path: "secretRef", message: error.message }],
          422,
        );
      }
      if (error instanceof ProviderError && CALLER_FIXABLE.has(error.cls)) {
        throw new ValidationError(
          `the vendor refused this target: ${error.message}`,
          [{ path: "resource", message: error.message }],
          422,
        );
      }
      throw error;
    }
  }
}

/**
 * What a remote validation answers (the validate-target function's result): valid, or
 * the 400/422 the caller gets. Failures that are not the caller's are thrown instead.
 */
export const ValidationVerdict = z.discriminatedUnion("valid", [
  z.object({ valid: z.literal(true) }),
  z.object({
    valid: z.literal(false),
    /** 400 for a target that can never be backed up, 422 for one whose details are wrong. */
    status: z.union([z.literal(400), z.literal(422)]),
    message: z.string().max(2000),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).max(50),
  }),
]);
export type ValidationVerdict = z.infer<typeof ValidationVerdict>;

/** Runs a validator and turns the caller's mistakes into a verdict (the remote side of the call). */
export async function verdictOf(validator: TargetValidator, target: Target) {
  try {
    await validator.validate(target);
    return { valid: true } satisfies ValidationVerdict;
  } catch (error) {
    if (error instanceof ValidationError && (error.status === 400 || error.status === 422)) {
      const status = error.status;
      return { valid: false, status, message: error.message, issues: error.issues } as const;
    }
    throw error;
  }
}

/** The verdict back into what {@link TargetValidator.validate} promises (the calling side). */
export function applyVerdict(verdict: ValidationVerdict): void {
  if (!verdict.valid) throw new ValidationError(verdict.message, verdict.issues, verdict.status);
}
