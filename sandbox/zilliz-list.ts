import { epochOf, queryValue, wholeNumber } from "./query.ts";
import { ZILLIZ_CODES, type ZillizError, zillizError } from "./zilliz-errors.ts";
import type { StoredBackup } from "./zilliz-model.ts";

/** Validated List Backups query. */
export interface ListQuery {
  projectId?: string;
  clusterId?: string;
  creationMethod?: "MANUAL" | "AUTO";
  backupType?: "CLUSTER" | "COLLECTION";
  startTime?: number;
  endTime?: number;
  pageSize: number;
  currentPage: number;
}

/**
 * ASSUMPTION (UNCONFIRMED): the default page size is not documented; 10 is what the
 * documented example response shows.
 */
export const DEFAULT_PAGE_SIZE = 10;

/**
 * Validates the List Backups query string. Empty parameters count as absent.
 *
 * @returns the query, or the documented error (96008 pageSize, 96009 currentPage,
 *   96029 backupType, 96030 creationMethod; 96033 for unparsable times is UNCONFIRMED)
 */
export function parseListQuery(params: URLSearchParams): ListQuery | ZillizError {
  const value = (name: string) => queryValue(params, name);
  const pageSize = wholeNumber(value("pageSize"), DEFAULT_PAGE_SIZE);
  if (pageSize === undefined || pageSize < 1 || pageSize > 100) {
    return zillizError(
      ZILLIZ_CODES.pageSizeInvalid,
      "Invalid pageSize. The value should be an integer between 1 and 100.",
    );
  }
  const currentPage = wholeNumber(value("currentPage"), 1);
  if (currentPage === undefined || currentPage < 1) {
    return zillizError(
      ZILLIZ_CODES.currentPageInvalid,
      "Invalid currentPage. The value should be a positive integer.",
    );
  }
  const creationMethod = value("creationMethod");
  if (creationMethod !== undefined && creationMethod !== "MANUAL" && creationMethod !== "AUTO") {
    return zillizError(
      ZILLIZ_CODES.creationMethodInvalid,
      `Invalid creationMethod: ${creationMethod}. The value should be MANUAL or AUTO.`,
    );
  }
  const backupType = value("backupType");
  if (backupType !== undefined && backupType !== "CLUSTER" && backupType !== "COLLECTION") {
    return zillizError(
      ZILLIZ_CODES.backupTypeInvalid,
      `Invalid backupType: ${backupType}. The value should be CLUSTER or COLLECTION.`,
    );
  }
  const startTime = epochOf(value("startTime"));
  const endTime = epochOf(value("endTime"));
  if (Number.isNaN(startTime) || Number.isNaN(endTime)) {
    return zillizError(
      ZILLIZ_CODES.timeInvalid,
      "Invalid startTime or endTime. Use an ISO-8601 time such as 2024-07-30T16:49:50Z.",
    );
  }
  return {
    projectId: value("projectId"),
    clusterId: value("clusterId"),
    creationMethod,
    backupType,
    startTime,
    endTime,
    pageSize,
    currentPage,
  };
}

/**
 * Applies the filters. `startTime`/`endTime` bound the backup's creation time (inclusive).
 * Backups made through the API are MANUAL; only seeded ones (`POST /__sandbox/backups`)
 * can be AUTO.
 */
export function matchesListQuery(backup: StoredBackup, projectId: string, query: ListQuery) {
  return (
    (query.projectId === undefined || query.projectId === projectId) &&
    (query.clusterId === undefined || query.clusterId === backup.clusterId) &&
    (query.creationMethod === undefined || query.creationMethod === backup.creationMethod) &&
    (query.backupType === undefined || query.backupType === backup.backupType) &&
    (query.startTime === undefined || backup.createdAt >= query.startTime) &&
    (query.endTime === undefined || backup.createdAt <= query.endTime)
  );
}

/**
 * Orders backups newest first (creation time, then creation order).
 *
 * ASSUMPTION (UNCONFIRMED): the documented list does not state its order; newest first is
 * what the console shows.
 */
export function newestFirst(a: StoredBackup, b: StoredBackup): number {
  return b.createdAt - a.createdAt || b.seq - a.seq;
}
