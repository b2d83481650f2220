/**
 * Query-string parsing the vendors' list endpoints share. Every simulated API treats an
 * empty parameter like an absent one, and counts, offsets and pages as whole numbers.
 */

/** A query parameter, trimmed; empty or absent is `undefined`. */
export function queryValue(params: URLSearchParams, name: string): string | undefined {
  return params.get(name)?.trim() || undefined;
}

/**
 * A whole-number parameter (digits only, so never negative).
 *
 * @returns `fallback` when absent, `undefined` when malformed
 */
export function wholeNumber(raw: string | undefined, fallback: number): number | undefined {
  if (raw === undefined) return fallback;
  return /^\d+$/.test(raw) ? Number(raw) : undefined;
}

/**
 * An ISO-8601 time parameter as epoch milliseconds.
 *
 * @returns `undefined` when absent, `NaN` when malformed
 */
export function epochOf(raw: string | undefined): number | undefined {
  return raw === undefined ? undefined : Date.parse(raw);
}
