import * as z from "zod";
import { BackupRecord } from "../../lib/core/backup.ts";
import { Target } from "../../lib/core/target.ts";
import { VendorRestorePreviewer } from "../../lib/usecases/restores.ts";
import { withInvoke } from "../middleware.ts";

/**
 * Invoked synchronously by the API for a restore: asks the vendor, with the target's
 * credentials (which only this function and the workflow tasks may read), what restoring
 * the backup to the destination would overwrite. A vendor refusal is the function's error.
 */
export const handler = withInvoke(
  "preview-restore",
  z.object({
    target: Target,
    backup: BackupRecord,
    destination: z.record(z.string(), z.unknown()),
  }),
  (input, c) =>
    new VendorRestorePreviewer(c.providers).preview(input.target, input.backup, input.destination),
);
