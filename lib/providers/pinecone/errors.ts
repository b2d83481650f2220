import type { ProviderErrorClass } from "../../core/provider-error.ts";
import { classOfHttpStatus } from "../http.ts";

/** A 403 that is an object limit: the documented messages name a quota or "the maximum per project". */
const QUOTA_MESSAGE = /quota|maximum per project/i;
/** The documented 403 of `DELETE /indexes/{name}` on a protected index. */
const DELETION_PROTECTION_MESSAGE = /deletion protection/i;

/**
 * Classifies a Pinecone error (`{error: {code, message}, status}`, docs/providers.md §2.2, §6.3).
 * The code wins over the HTTP status where they disagree: the spec's own example pairs
 * `QUOTA_EXCEEDED` with HTTP 429, which is a quota, not throttling.
 */
export function classifyPineconeError(
  httpStatus: number,
  code: string | undefined,
  message = "",
): ProviderErrorClass {
  // A restore job from this backup is pending: retry later, never "done".
  if (httpStatus === 412 || code === "FAILED_PRECONDITION") return "CONFLICT";
  if (httpStatus === 402 || code === "PAYMENT_REQUIRED" || code === "QUOTA_EXCEEDED") {
    return "QUOTA";
  }
  if (httpStatus === 403) {
    if (QUOTA_MESSAGE.test(message)) return "QUOTA";
    // Not a credential problem: the index refuses deletion until protection is disabled.
    return DELETION_PROTECTION_MESSAGE.test(message) ? "INVALID" : "AUTH";
  }
  if (httpStatus === 429 || code === "RESOURCE_EXHAUSTED") return "THROTTLED";
  if (httpStatus === 422) return "INVALID";
  return classOfHttpStatus(httpStatus) ?? "UNKNOWN";
}
