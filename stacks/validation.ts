import { PREVIEW_RESTORE_FUNCTION, VALIDATE_TARGET_FUNCTION } from "./deployment.ts";
import { wardenFunction } from "./functions.ts";

/**
 * Checks a new target at its vendor with the target's credentials, for the API (which may
 * not read them). Invoked synchronously (RequestResponse) while the caller waits, so it is
 * bounded like a vendor call: WARDEN_PROVIDER_TIMEOUT_MS (30 s by default) and a little.
 */
export const validateTargetFunction = wardenFunction("ValidateTarget", "validate-target", {
  description: "backup-warden: check a new target at its vendor",
  name: VALIDATE_TARGET_FUNCTION,
  timeout: "40 seconds",
  memory: "512 MB",
});

/**
 * Previews a restore at its vendor for the API (what it would overwrite), with the
 * target's credentials, which the API may not read. Synchronous, bounded like the above.
 */
export const previewRestoreFunction = wardenFunction("PreviewRestore", "preview-restore", {
  description: "backup-warden: preview a restore at its vendor",
  name: PREVIEW_RESTORE_FUNCTION,
  timeout: "40 seconds",
  memory: "512 MB",
});
