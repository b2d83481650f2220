import * as z from "zod";
import { Target } from "../../lib/core/target.ts";
import { verdictOf } from "../../lib/usecases/target-validation.ts";
import { withInvoke } from "../middleware.ts";
import { vendorValidator } from "../usecases.ts";

/**
 * Invoked synchronously by the API before a target is stored: checks the target at its
 * vendor with the target's credentials, which only this function (and the workflow tasks)
 * may read. Answers the verdict; a vendor that cannot be asked is the function's error.
 */
export const handler = withInvoke("validate-target", z.object({ target: Target }), (input, c) =>
  verdictOf(vendorValidator(c), input.target),
);
