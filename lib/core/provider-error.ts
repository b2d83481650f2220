import { ErrorCode, WardenError } from "./errors.ts";

/**
 * How a vendor failure should be handled, independent of the vendor (docs/providers.md §6.1).
 * The workflows' `Retry`/`Catch` blocks match on {@link ProviderErrorName}, never on
 * vendor codes.
 */
export const ProviderErrorClass = {
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  THROTTLED: "THROTTLED",
  AUTH: "AUTH",
  QUOTA: "QUOTA",
  INVALID: "INVALID",
  TRANSIENT: "TRANSIENT",
  UNKNOWN: "UNKNOWN",
} as const;
export type ProviderErrorClass = (typeof ProviderErrorClass)[keyof typeof ProviderErrorClass];

/** Stable error names, one per class: what Step Functions sees as `Error`. */
export const ProviderErrorName = {
  NOT_FOUND: "ProviderNotFound",
  CONFLICT: "ProviderConflict",
  THROTTLED: "ProviderThrottled",
  AUTH: "ProviderAuth",
  QUOTA: "ProviderQuota",
  INVALID: "ProviderInvalid",
  TRANSIENT: "ProviderTransient",
  UNKNOWN: "ProviderUnknown",
} as const satisfies Record<ProviderErrorClass, string>;

const CLASS_OF_NAME = new Map<string, ProviderErrorClass>(
  Object.entries(ProviderErrorName).map(([cls, name]) => [name, cls as ProviderErrorClass]),
);

/** The class an error name stands for (`ProviderQuota` → QUOTA); `undefined` for another name. */
export function providerErrorClassOfName(name: string): ProviderErrorClass | undefined {
  return CLASS_OF_NAME.get(name);
}

/** Classes worth retrying with backoff inside a workflow. */
export const RETRYABLE_PROVIDER_ERRORS = [
  ProviderErrorName.THROTTLED,
  ProviderErrorName.TRANSIENT,
] as const;

/**
 * A failure reported by (or while talking to) a vendor API.
 *
 * @example
 * throw new ProviderError({ cls: "THROTTLED", provider: "zilliz", httpStatus: 429, retryAfterMs: 2000 });
 */
export class ProviderError extends WardenError {
  readonly cls: ProviderErrorClass;
  readonly provider: string;
  readonly httpStatus: number | undefined;
  readonly providerCode: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(init: {
    cls: ProviderErrorClass;
    provider: string;
    message?: string;
    httpStatus?: number;
    providerCode?: string | number;
    retryAfterMs?: number;
    cause?: unknown;
  }) {
    const code = init.providerCode === undefined ? undefined : String(init.providerCode);
    const message =
      init.message ??
      `${init.provider} answered ${init.httpStatus ?? "without a status"}${code ? ` (${code})` : ""}`;
    super(ErrorCode.PROVIDER, 502, message, {
      cause: init.cause,
      name: ProviderErrorName[init.cls],
      details: { provider: init.provider, class: init.cls, providerCode: code },
    });
    this.cls = init.cls;
    this.provider = init.provider;
    this.httpStatus = init.httpStatus;
    this.providerCode = code;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** The class of an error thrown by a provider call; anything unexpected is UNKNOWN. */
export function providerErrorClassOf(error: unknown): ProviderErrorClass {
  return error instanceof ProviderError ? error.cls : ProviderErrorClass.UNKNOWN;
}
