/**
 * One error hierarchy for the whole system. Every error carries a stable `code`
 * (part of the API contract and of alert routing), an HTTP `status` used only at the
 * API edge, and a `name` that Step Functions `Retry`/`Catch` blocks match on.
 *
 * Messages must never contain secrets: adapters build them from vendor codes and
 * our own identifiers only.
 */

/** Stable error codes. Changing one is a breaking change for API clients and alarms. */
export const ErrorCode = {
  VALIDATION: "VALIDATION_FAILED",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  PRECONDITION_FAILED: "PRECONDITION_FAILED",
  INVALID_TRANSITION: "INVALID_TRANSITION",
  LEASE_HELD: "LEASE_HELD",
  IDEMPOTENCY_MISMATCH: "IDEMPOTENCY_KEY_REUSED",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  UNAUTHORIZED: "UNAUTHORIZED",
  CONFIGURATION: "CONFIGURATION",
  PROVIDER: "PROVIDER_ERROR",
  INTERNAL: "INTERNAL",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A field-level validation problem, as returned in problem+json `errors`. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Base of every error we raise on purpose. */
export class WardenError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra, safe-to-show details (ids, current status, field issues). */
  readonly details: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    status: number,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown>; name?: string } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = status;
    this.details = options.details ?? {};
    // Explicit names: Step Functions matches on them, and a minifier may rename classes.
    this.name = options.name ?? "WardenError";
  }
}

/** The caller sent something malformed or semantically invalid (400 or 422). */
export class ValidationError extends WardenError {
  readonly issues: FieldIssue[];
  constructor(message: string, issues: FieldIssue[] = [], status = 400) {
    super(ErrorCode.VALIDATION, status, message, { details: {}, name: "ValidationError" });
    this.issues = issues;
  }
}

/** A named entity does not exist. */
export class NotFoundError extends WardenError {
  constructor(entity: string, id: string) {
    super(ErrorCode.NOT_FOUND, 404, `${entity} ${id} does not exist`, {
      details: { entity, id },
      name: "NotFoundError",
    });
  }
}

/** The request conflicts with the current state (e.g. a backup already running). */
export class ConflictError extends WardenError {
  constructor(
    message: string,
    details: Record<string, unknown> = {},
    code: ErrorCode = ErrorCode.CONFLICT,
  ) {
    super(code, 409, message, { details, name: "ConflictError" });
  }
}

/**
 * A status change that the status machine forbids, or a conditional write that lost a
 * race (the record moved on meanwhile). Never retried blindly: the caller re-reads.
 */
export class InvalidTransitionError extends WardenError {
  constructor(id: string, from: string | undefined, to: string) {
    super(
      ErrorCode.INVALID_TRANSITION,
      409,
      `backup ${id} cannot move from ${from ?? "(missing)"} to ${to}`,
      { details: { id, from, to }, name: "InvalidTransitionError" },
    );
  }
}

/** Another backup holds the single-flight lease on the same vendor resource. */
export class LeaseHeldError extends WardenError {
  constructor(resource: string, holder: string) {
    super(
      ErrorCode.LEASE_HELD,
      409,
      `a backup of ${resource} is already running (${holder}); one manual backup job per resource is allowed`,
      { details: { resource, holder }, name: "LeaseHeldError" },
    );
  }
}

/** An Idempotency-Key was reused with a different request body. */
export class IdempotencyMismatchError extends WardenError {
  constructor() {
    super(
      ErrorCode.IDEMPOTENCY_MISMATCH,
      422,
      "this Idempotency-Key was already used with a different request body",
      { name: "IdempotencyMismatchError" },
    );
  }
}

/** The request body is larger than we accept. */
export class PayloadTooLargeError extends WardenError {
  constructor(limitBytes: number) {
    super(ErrorCode.PAYLOAD_TOO_LARGE, 413, `request body exceeds ${limitBytes} bytes`, {
      name: "PayloadTooLargeError",
    });
  }
}

/** The request body is not JSON. */
export class UnsupportedMediaTypeError extends WardenError {
  constructor(contentType: string | undefined) {
    super(
      ErrorCode.UNSUPPORTED_MEDIA_TYPE,
      415,
      `expected Content-Type application/json, got ${contentType ?? "none"}`,
      { name: "UnsupportedMediaTypeError" },
    );
  }
}

/** Missing or wrong credentials on our own API. */
export class UnauthorizedError extends WardenError {
  constructor() {
    super(ErrorCode.UNAUTHORIZED, 401, "missing or invalid bearer token", {
      name: "UnauthorizedError",
    });
  }
}

/** Our own configuration (environment, secret shape) is wrong: an operator must act. */
export class ConfigurationError extends WardenError {
  constructor(message: string) {
    super(ErrorCode.CONFIGURATION, 500, message, { name: "ConfigurationError" });
  }
}

/** A write lost to a concurrent one (optimistic concurrency on `version`). */
export class PreconditionFailedError extends WardenError {
  constructor(entity: string, id: string) {
    super(
      ErrorCode.PRECONDITION_FAILED,
      412,
      `${entity} ${id} was changed meanwhile; read it again and retry`,
      {
        details: { entity, id },
        name: "PreconditionFailedError",
      },
    );
  }
}
