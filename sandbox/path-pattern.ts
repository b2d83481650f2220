/**
 * The path patterns faults and chaos match requests with. A caller never supplies a
 * regular expression (one like `(a+)+$` froze the whole runtime for seconds per request);
 * a pattern is matched segment by segment by this code, in time linear in its length:
 *
 * - it starts with `/` and is compared with the request path (no query), segment by segment;
 * - a segment `*` matches any one non-empty segment;
 * - one segment `**` (at most one per pattern) matches any number of segments, none included:
 *   `/v2/jobs/**` is `/v2/jobs` and everything under it; a `**` first, then `/backups`, is
 *   any path that ends in `/backups`;
 * - every other segment is literal: `(`, `+`, `$`, `.`… mean themselves.
 *
 * @example matchesPathPattern("/v2/jobs/*", "/v2/jobs/job-1") // true
 */

/** Longest pattern accepted (request paths of the simulators are far shorter). */
export const MAX_PATH_PATTERN_LENGTH = 1024;

/**
 * Why `pattern` is not a path pattern, or `undefined` when it is one.
 *
 * @returns a sentence for a 400 (or a RangeError of the JS API)
 */
export function pathPatternProblem(pattern: string): string | undefined {
  if (pattern.length > MAX_PATH_PATTERN_LENGTH) {
    return `a path pattern has at most ${MAX_PATH_PATTERN_LENGTH} characters`;
  }
  if (!pattern.startsWith("/")) {
    return 'a path pattern starts with "/" (it is an exact path, with "*" for one segment and "**" for any number; not a regular expression)';
  }
  const segments = pattern.split("/");
  if (segments.filter((s) => s === "**").length > 1) return 'a path pattern has at most one "**"';
  if (segments.some((s) => s.includes("*") && s !== "*" && s !== "**")) {
    return 'in a path pattern "*" and "**" stand for whole segments only (e.g. /v2/jobs/*)';
  }
  return undefined;
}

/** True when `path` (a request path without query) fits `pattern` (see the module's rules). */
export function matchesPathPattern(pattern: string, path: string): boolean {
  const expected = pattern.split("/");
  const actual = path.split("/");
  const rest = expected.indexOf("**");
  if (rest === -1) {
    return expected.length === actual.length && expected.every((s, i) => fits(s, actual[i]!));
  }
  const head = expected.slice(0, rest);
  const tail = expected.slice(rest + 1);
  if (actual.length < head.length + tail.length) return false;
  const offset = actual.length - tail.length;
  return (
    head.every((s, i) => fits(s, actual[i]!)) && tail.every((s, i) => fits(s, actual[offset + i]!))
  );
}

function fits(segment: string, actual: string): boolean {
  return segment === "*" ? actual !== "" : segment === actual;
}
