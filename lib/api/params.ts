import * as z from "zod";
import { ValidationError } from "../core/errors.ts";

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
