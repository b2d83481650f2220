import * as z from "zod";
import { ValidationError } from "../core/errors.ts";
import { type HttpRequest, parseOr400 } from "./http.ts";

/** Who a record's audit fields name for this request (deletions, holds, cancels). */
export function callerOf(request: Pick<HttpRequest, "caller">): string {
  return request.caller ?? "unknown caller";
}

/** Page size: 1-100, default 50. */
export const Limit = z.coerce.number().int().min(1).max(100).default(50);

/** `?limit=&cursor=` of every listing. */
export const ListQuery = z
  .object({ limit: Limit, cursor: z.string().max(2048).optional() })
  // Unknown parameters are refused, so a typo or an unsupported filter is a 400, not ignored.
  .strict();

const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "an id");

/** A path id, or a 400 naming the parameter. */
export function pathId(value: string | undefined, name: string): string {
  const result = Id.safeParse(value);
  if (!result.success)
    throw new ValidationError(`invalid ${name}`, [{ path: name, message: "not a valid id" }]);
  return result.data;
}

/** The `Idempotency-Key` header of creating POSTs. */
export const IdempotencyKey = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,128}$/, "1-128 characters of A-Za-z0-9_.:-")
  .optional();

/** An ISO-8601 instant in a query string. */
export const Instant = z.iso.datetime({ offset: true }).transform((v) => new Date(v).toISOString());

/** `If-Match: <version>` (a bare or quoted integer, as in the ETag) for optimistic concurrency. */
export const IfMatch = z
  .string()
  .regex(/^"?\d+"?$/, "the version, as returned in the ETag")
  .transform((v) => Number(v.replaceAll('"', "")))
  .optional();

/** The OpenAPI description of the `Idempotency-Key` header, the same on every creating POST. */
export const IDEMPOTENCY_HEADER = {
  "Idempotency-Key": {
    schema: IdempotencyKey,
    description: "Repeat-safe: the same key and body return the first result",
  },
};

/** The OpenAPI description of the `If-Match` header of replacing PUTs. */
export const IF_MATCH_HEADER = {
  "If-Match": { schema: IfMatch, description: "The version from the ETag" },
};

/** A request's `Idempotency-Key`, or a 400 naming the header. */
export function idempotencyKeyOf(headers: Record<string, string | undefined>): string | undefined {
  return parseOr400(IdempotencyKey, headers["idempotency-key"], "Idempotency-Key header");
}

/** A request's `If-Match` version, or a 400 naming the header. */
export function ifMatchOf(headers: Record<string, string | undefined>): number | undefined {
  return parseOr400(IfMatch, headers["if-match"], "If-Match header");
}

/** The headers of a created (or, with a repeated Idempotency-Key, replayed) entity. */
export function createdHeaders(
  location: string,
  version: number,
  created: boolean,
): Record<string, string> {
  return {
    location,
    ...etagOf(version),
    ...(created ? {} : { "idempotent-replayed": "true" }),
  };
}

/** The `ETag` of an entity's version (what `If-Match` sends back). */
export function etagOf(version: number): { etag: string } {
  return { etag: `"${version}"` };
}
