import { randomBytes, randomUUID } from "node:crypto";
import type { SimResponse } from "../http-sim-types.ts";

/**
 * The codes the Huawei API gateway answers with itself, before (or instead of) the
 * service behind it (docs/providers.md §5).
 */
export const GATEWAY_CODES = {
  /** Authentication failed: bad or missing signature, unknown AK, stale `X-Sdk-Date`. */
  unauthorized: "APIGW.0301",
  /** Throttled. */
  throttled: "APIGW.0308",
  /** No API at this path. */
  noRoute: "APIGW.0101",
} as const;

/** The codes a Huawei service behind the gateway uses for errors it shares with the others. */
export interface ServiceErrorCodes {
  /** Generic server-side failure (injected 5xx statuses, simulator crashes). */
  serverError: string;
  /** Generic invalid request (any other injected 4xx status). */
  invalidParameter: string;
}

/** A Huawei error body: `{error_code, error_msg}` plus the gateway's `request_id`. */
function huaweiErrorBody(code: string, message: string): Record<string, string> {
  return { error_code: code, error_msg: message, request_id: randomBytes(16).toString("hex") };
}

/** A Huawei error response. */
export function huaweiError(status: number, code: string, message: string): SimResponse {
  return { status, body: huaweiErrorBody(code, message) };
}

/**
 * The error body for a status the shared machinery answers (404, 429, injected faults,
 * crashes): the gateway's code where the gateway answers, else the service's own.
 */
export function gatewayErrorBody(
  codes: ServiceErrorCodes,
): (status: number, message: string) => Record<string, string> {
  return (status, message) => {
    const code =
      status === 429
        ? GATEWAY_CODES.throttled
        : status === 404
          ? GATEWAY_CODES.noRoute
          : status >= 500
            ? codes.serverError
            : codes.invalidParameter;
    return huaweiErrorBody(code, message);
  };
}

/** Headers every simulated Huawei response carries (the gateway's request id). */
export function gatewayHeaders(): Record<string, string> {
  return { "x-request-id": randomUUID().replaceAll("-", "") };
}
