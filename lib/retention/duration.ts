/**
 * restic's calendar durations (`1y2m3d4h`), as used by `forget --keep-within*`.
 *
 * restic's own parser is lenient (negative numbers, repeated units, surrounding
 * whitespace); ours accepts only the unambiguous subset: one or more `<digits><unit>`
 * pairs, each unit at most once, in any order (restic's own tests use `1y1d1m`).
 */

/** A parsed duration. `m` is months, never minutes — restic has no minutes. */
export interface ResticDuration {
  years: number;
  months: number;
  days: number;
  hours: number;
}

/** The accepted grammar, anchored: e.g. `1d`, `13d23h`, `1y1d1m`. */
export const RESTIC_DURATION_PATTERN = /^(?:\d+[ymdh])+$/;

/** Large enough for any real policy, small enough that date arithmetic stays exact. */
const MAX_COMPONENT = 1_000_000;

const UNIT_FIELDS = { y: "years", m: "months", d: "days", h: "hours" } as const;

/**
 * Explains why `text` is not a valid restic duration.
 *
 * @param text - the candidate duration
 * @returns a human-readable problem, or `undefined` when `text` is valid
 */
export function resticDurationProblem(text: string): string | undefined {
  const hint =
    'expected restic\'s format such as "1y2m3d4h" (units: y years, m months, d days, h hours)';
  if (!RESTIC_DURATION_PATTERN.test(text)) return `invalid duration "${text}": ${hint}`;
  const seen = new Set<string>();
  for (const [, digits, unit] of text.matchAll(/(\d+)([ymdh])/g)) {
    if (seen.has(unit!)) return `invalid duration "${text}": unit "${unit}" appears twice`;
    seen.add(unit!);
    if (Number(digits) > MAX_COMPONENT) {
      return `invalid duration "${text}": each number must be at most ${MAX_COMPONENT}`;
    }
  }
  return undefined;
}

/**
 * Parses a restic duration.
 *
 * @param text - a duration such as `"2m2h"`
 * @returns its components; all zero for e.g. `"0d"`, which restic treats as "rule off"
 * @throws RangeError when {@link resticDurationProblem} reports a problem
 * @example parseResticDuration("1y1d1m") // { years: 1, months: 1, days: 1, hours: 0 }
 */
export function parseResticDuration(text: string): ResticDuration {
  const problem = resticDurationProblem(text);
  if (problem !== undefined) throw new RangeError(problem);
  const duration: ResticDuration = { years: 0, months: 0, days: 0, hours: 0 };
  for (const [, digits, unit] of text.matchAll(/(\d+)([ymdh])/g)) {
    duration[UNIT_FIELDS[unit as keyof typeof UNIT_FIELDS]] = Number(digits);
  }
  return duration;
}

/**
 * Whether every component is zero; restic then ignores the rule entirely.
 *
 * @param duration - a parsed duration
 */
export function isZeroDuration(duration: ResticDuration): boolean {
  return (
    duration.years === 0 && duration.months === 0 && duration.days === 0 && duration.hours === 0
  );
}

/**
 * Formats a duration the way restic prints it in keep reasons: fixed order y, m, d, h and
 * zero components left out, so `"1y1d1m"` reads back as `"1y1m1d"`.
 *
 * @param duration - a parsed duration
 */
export function formatResticDuration(duration: ResticDuration): string {
  let text = "";
  if (duration.years !== 0) text += `${duration.years}y`;
  if (duration.months !== 0) text += `${duration.months}m`;
  if (duration.days !== 0) text += `${duration.days}d`;
  if (duration.hours !== 0) text += `${duration.hours}h`;
  return text;
}
