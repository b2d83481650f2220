import * as z from "zod";
import { ID_PATTERN } from "../../lib/core/ids.ts";
import { withInvoke } from "../middleware.ts";
import { reconciler } from "../usecases.ts";

/**
 * The reconciler (lib/usecases/reconcile.ts), with the vendors' credentials. Hourly on an
 * EventBridge schedule: every target, acting on what it finds (the scheduled event carries
 * no `targetId`). Invoked by the API for one target (`GET …/reconciliation` as a dry run,
 * `POST` to act now), answering what it found.
 */
export const handler = withInvoke(
  "reconcile",
  z.strictObject({
    targetId: z.string().regex(ID_PATTERN).optional(),
    dryRun: z.boolean().default(false),
  }),
  async (input, c) =>
    input.targetId
      ? reconciler(c).reconcile(input.targetId, { dryRun: input.dryRun })
      : reconciler(c).reconcileAll({ dryRun: input.dryRun }),
);
