import { AsyncLocalStorage } from "node:async_hooks";
import { Logger } from "@aws-lambda-powertools/logger";
import { ProviderError } from "../lib/core/provider-error.ts";
import { SERVICE_NAME } from "../lib/notify/metrics.ts";

/**
 * The ids a log line is about. Every line written while an invocation runs carries the
 * ids its middleware found (functions/middleware.ts) plus the Lambda request id, so an
 * operator can follow one backup, target or execution through CloudWatch.
 */
export interface LogKeys {
  function?: string;
  requestId?: string;
  backupId?: string;
  targetId?: string;
  policyId?: string;
  execution?: string;
  vendor?: string;
  [key: string]: unknown;
}

/*
 * Powertools Logger writes the lines (JSON, the level from POWERTOOLS_LOG_LEVEL or Lambda's
 * AWS_LAMBDA_LOG_LEVEL, sampling, the keys Lambda teams query by). The invocation's ids are
 * kept in an AsyncLocalStorage rather than with `appendKeys`, because the local runtime runs
 * many functions' invocations concurrently in one process: appended keys are process-wide.
 */
const logger = new Logger({ serviceName: SERVICE_NAME });
const scope = new AsyncLocalStorage<LogKeys>();

/** Runs `body` with `keys` on every line it logs (nested scopes add to the outer one). */
export function withLogKeys<R>(keys: LogKeys, body: () => R): R {
  return scope.run({ ...scope.getStore(), ...definedOnly(keys) }, body);
}

/** Adds ids to the current invocation's scope (e.g. once the record says which target). */
export function appendLogKeys(keys: LogKeys): void {
  const current = scope.getStore();
  if (current) Object.assign(current, definedOnly(keys));
}

/**
 * One structured line. Only ids, codes and our own messages are logged: those are built
 * to never contain secrets.
 */
export function log(
  level: "debug" | "info" | "warn" | "error",
  message: string,
  fields: Record<string, unknown> = {},
): void {
  if (level !== "error" && process.env.WARDEN_QUIET === "1") return;
  logger[level](message, { ...scope.getStore(), ...fields });
}

/**
 * The safe parts of an error: its name, code and message — never its stack or cause. A
 * vendor failure adds the vendor's HTTP status and error code (never its body).
 */
export function errorFields(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      errorName: error.name,
      errorMessage: error.message,
      ...(typeof code === "string" ? { errorCode: code } : {}),
      ...(error instanceof ProviderError
        ? {
            vendor: error.provider,
            vendorStatus: error.httpStatus,
            vendorCode: error.providerCode,
            vendorErrorClass: error.cls,
          }
        : {}),
    };
  }
  return { errorName: typeof error };
}

function definedOnly(keys: LogKeys): LogKeys {
  return Object.fromEntries(Object.entries(keys).filter(([, v]) => v !== undefined));
}
