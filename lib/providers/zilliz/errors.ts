import type { ProviderErrorClass } from "../../core/provider-error.ts";
import { classOfHttpStatus } from "../http.ts";

/*
 * How Zilliz Cloud reports failures (docs/providers.md §1.2): an envelope
 * `{code, message}` with HTTP 200 or ≥ 400. Only the codes below mean something to us.
 */

/** The codes we act on, and what they mean to us. */
const AUTH_CODES = new Set([96012, 96013, 96014, 96015, 96016, 96027, 21119]);
const INVALID_CODES = new Set([
  96008, 96009, 96021, 96022, 96029, 96030, 96031, 96032, 96033, 96034, 96036, 96037,
]);
const CREATE_FAILED = 96038;
const JOB_NOT_FOUND = 96026;
export const CLUSTER_NOT_FOUND = 96018;
/** Classifies a Zilliz error envelope (it may come with HTTP 200 or with HTTP ≥ 400). */
export function classifyZillizError(
  httpStatus: number,
  code: number | undefined,
  message = "",
): ProviderErrorClass {
  if (httpStatus === 429 || /rate ?limit|too many requests/i.test(message)) return "THROTTLED";
  if (code !== undefined && AUTH_CODES.has(code)) return "AUTH";
  if (code === JOB_NOT_FOUND || code === CLUSTER_NOT_FOUND) return "NOT_FOUND";
  if (code !== undefined && INVALID_CODES.has(code)) return "INVALID";
  // 96038 is "failed to create backup: %s"; an in-progress job is the documented
  // one-manual-job-per-cluster rule, so that flavour is a conflict (retry later).
  if (code === CREATE_FAILED)
    return /progress|pending|running|already/i.test(message) ? "CONFLICT" : "UNKNOWN";
  if (/not (be )?found|does not exist|not exist/i.test(message)) return "NOT_FOUND";
  return classOfHttpStatus(httpStatus) ?? "UNKNOWN";
}
