import type { SimResponse } from "./http-sim-types.ts";
import { pineconeError } from "./pinecone-model.ts";

/** A validated `limit` + `paginationToken` pair. */
export interface PageQuery {
  limit: number;
  /** Items with a creation sequence below this one come next; absent on the first page. */
  beforeSeq?: number;
}

/** Documented default of `limit` (docs/providers.md §2.3). */
export const DEFAULT_LIMIT = 10;
/** Documented upper bound of `limit` (docs/providers.md §2.3). */
export const MAX_LIMIT = 100;

/**
 * Validates the paging parameters of the list endpoints.
 *
 * ASSUMPTION (UNCONFIRMED): the status for an out-of-range `limit` or a malformed token is
 * not documented; both are 400 INVALID_ARGUMENT here.
 */
export function parsePageQuery(query: URLSearchParams): PageQuery | SimResponse {
  const rawLimit = query.get("limit");
  const limit = rawLimit === null || rawLimit === "" ? DEFAULT_LIMIT : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    return pineconeError(400, `limit must be an integer between 1 and ${MAX_LIMIT}`);
  }
  const token = query.get("paginationToken");
  if (token === null || token === "") return { limit };
  const beforeSeq = decodeToken(token);
  if (beforeSeq === undefined) return pineconeError(400, "Invalid pagination token");
  return { limit, beforeSeq };
}

/**
 * One page of `items` (already newest first) in the documented list shape:
 * `{data, pagination: {next}}`, with `pagination: null` on the last page (as in the
 * documented 2025-10 example response).
 *
 * The token is opaque to clients; here it encodes the last item's creation sequence, so
 * backups created while a client pages do not shift or repeat items.
 */
export function page<T>(
  items: Array<{ seq: number; model: T }>,
  query: PageQuery,
): { data: T[]; pagination: { next: string } | null } {
  const rest =
    query.beforeSeq === undefined ? items : items.filter((item) => item.seq < query.beforeSeq!);
  const slice = rest.slice(0, query.limit);
  const last = slice.at(-1);
  const data = slice.map((item) => item.model);
  if (last === undefined || rest.length <= query.limit) return { data, pagination: null };
  return { data, pagination: { next: encodeToken(last.seq) } };
}

function encodeToken(seq: number): string {
  return Buffer.from(JSON.stringify({ before: seq })).toString("base64url");
}

function decodeToken(token: string): number | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    const before = (value as { before?: unknown } | null)?.before;
    return typeof before === "number" && Number.isInteger(before) ? before : undefined;
  } catch {
    return undefined;
  }
}
