import type { BackupRecord } from "../core/backup.ts";
import { ErrorCode, WardenError } from "../core/errors.ts";
import { ProviderError, providerErrorClassOfName } from "../core/provider-error.ts";
import { type RestoreDestination, RestoreOverwrite } from "../core/restore.ts";
import type { Target } from "../core/target.ts";
import { type InvokedFunction, invokeSync } from "./lambda-invoke.ts";
import type { RestorePreviewer } from "./restores.ts";

/**
 * Previews a restore in the preview-restore function, synchronously (RequestResponse): the
 * API holds no vendor credentials. A vendor's refusal comes back as the function's error,
 * rebuilt here as the same {@link ProviderError} class (so a taken name is still a 422).
 */
export class LambdaRestorePreviewer implements RestorePreviewer {
  readonly #function: InvokedFunction;

  constructor(previewRestore: InvokedFunction) {
    this.#function = previewRestore;
  }

  async preview(target: Target, backup: BackupRecord, destination: RestoreDestination) {
    const { payload, error } = await invokeSync(this.#function, { target, backup, destination });
    if (error) {
      const message = (error.errorMessage ?? "the restore preview failed").slice(0, 1000);
      const cls = error.errorType ? providerErrorClassOfName(error.errorType) : undefined;
      if (cls) throw new ProviderError({ cls, provider: target.provider, message });
      throw new WardenError(ErrorCode.INTERNAL, 500, `the restore preview failed: ${message}`, {
        name: "RestorePreviewError",
      });
    }
    const overwrites = (payload as { overwrites?: unknown } | null)?.overwrites;
    return overwrites === undefined ? {} : { overwrites: RestoreOverwrite.parse(overwrites) };
  }
}
