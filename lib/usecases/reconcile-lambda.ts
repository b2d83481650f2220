import { ConflictError, ErrorCode, NotFoundError, WardenError } from "../core/errors.ts";
import { ProviderError, providerErrorClassOfName } from "../core/provider-error.ts";
import { type InvokedFunction, invokeSync } from "./lambda-invoke.ts";
import { Reconciliation } from "./reconcile.ts";

/** Reconciling one target, wherever it runs. */
export interface Reconciliations {
  run(targetId: string, options: { dryRun: boolean }): Promise<Reconciliation>;
}

/**
 * Reconciles a target in the reconcile function, synchronously: the API holds no vendor
 * credentials, the reconcile function does. Its errors come back as the same classes (a
 * vendor failure as the same ProviderError, an unknown target as NotFoundError).
 */
export class LambdaReconciliations implements Reconciliations {
  readonly #function: InvokedFunction;

  constructor(reconcile: InvokedFunction) {
    this.#function = reconcile;
  }

  async run(targetId: string, options: { dryRun: boolean }): Promise<Reconciliation> {
    const { payload, error } = await invokeSync(this.#function, { targetId, ...options });
    if (error) {
      const message = (error.errorMessage ?? "reconciliation failed").slice(0, 1000);
      if (error.errorType === "NotFoundError") throw new NotFoundError("target", targetId);
      if (error.errorType === "ConflictError") throw new ConflictError(message);
      const cls = error.errorType ? providerErrorClassOfName(error.errorType) : undefined;
      if (cls) throw new ProviderError({ cls, provider: "vendor", message });
      throw new WardenError(ErrorCode.INTERNAL, 500, `reconciliation failed: ${message}`, {
        name: "ReconciliationError",
      });
    }
    const parsed = Reconciliation.safeParse(payload);
    if (!parsed.success)
      throw new WardenError(ErrorCode.INTERNAL, 500, "reconciliation answered unreadably", {
        name: "ReconciliationError",
      });
    return parsed.data;
  }
}
