import type { ProviderErrorClass } from "../../core/provider-error.ts";
import { classOfHttpStatus } from "../http.ts";

/*
 * How Zilliz Cloud reports failures (docs/providers.md §1.2): an envelope
 * `{code, message}` with HTTP 200 or ≥ 400. Only the codes below mean something to us.
 */

/** The codes we act on, and what they mean to us. */
const AUTH_CODES = new Set([96012, 96013, 96014, 96015, 96016, 96027, 21119]);
/**
 * Bad parameters, and operations the plan refuses. 96002 cuSize, 96005 projectId, 96010
 * clusterName, 96023 no such cuType/cuSize/plan class, 96025 empty clusterId (restores).
 */
const INVALID_CODES = new Set([
  96002, 96005, 96008, 96009, 96010, 96021, 96022, 96023, 96025, 96029, 96030, 96031, 96032, 96033,
  96034, 96036, 96037,
]);
const CREATE_FAILED = 96038;
/** "Failed to restore collection backup. %s" and "Failed to restore cluster backup. %s". */
const RESTORE_FAILED = new Set([96039, 96040]);
/**
 * A cluster name already used in the project: 96017 (v2 error codes); 80010 "Duplicated
 * ClusterName" is what the vendor's Terraform recordings show for a create.
 */
const NAME_TAKEN = new Set([96017, 80010]);
export const JOB_NOT_FOUND = 96026;
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
  // A free-text restore failure: an exhausted quota, something missing, or something not
  // ready yet (a backup still CREATING, a cluster not RUNNING) that time will settle.
  if (code !== undefined && RESTORE_FAILED.has(code)) {
    if (/quota|insufficient|exceed/i.test(message)) return "QUOTA";
    if (/not (be )?found|does not exist|not exist/i.test(message)) return "NOT_FOUND";
    if (/not (yet )?available|creating|progress|pending|running|deleting/i.test(message))
      return "CONFLICT";
    return "UNKNOWN";
  }
  if (code !== undefined && NAME_TAKEN.has(code)) return "CONFLICT";
  if (/not (be )?found|does not exist|not exist/i.test(message)) return "NOT_FOUND";
  return classOfHttpStatus(httpStatus) ?? "UNKNOWN";
}
