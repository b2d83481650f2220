/**
 * Proleptic-Gregorian calendar arithmetic on plain numbers, plus a strict ISO-8601
 * instant parser. The planner runs this per backup, so it avoids `Date` objects and
 * `Date.parse` (which alone costs ~50 ms for 100,000 strings and silently reads a
 * timestamp without offset as machine-local time).
 *
 * "Local milliseconds" below means a wall-clock reading encoded as if it were UTC.
 */

/** Milliseconds per hour. */
export const HOUR_MS = 3_600_000;
/** Milliseconds per (24-hour) day. */
export const DAY_MS = 86_400_000;

/** A calendar date; `month` is 1–12. */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/**
 * Days since 1970-01-01 of a calendar date (H. Hinnant's algorithm, valid for any year).
 * `day` may overflow or underflow its month and is carried, like Go's `time.Date`.
 *
 * @param year - any integer year
 * @param month - 1–12
 * @param day - day of month; values outside the month are normalised
 */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5);
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468 + (day - 1);
}

/**
 * The calendar date of a day number (inverse of {@link daysFromCivil}).
 *
 * @param days - days since 1970-01-01
 */
export function civilFromDays(days: number): CivilDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  return {
    year: yoe + era * 400 + (month <= 2 ? 1 : 0),
    month,
    day: doy - Math.floor((153 * mp + 2) / 5) + 1,
  };
}

/**
 * restic's `yw` bucket: ISO-8601 week-numbering year × 100 + ISO week (Go's `ISOWeek`).
 *
 * @param days - local day number
 */
export function isoYearWeek(days: number): number {
  // The ISO week belongs to the year that contains its Thursday.
  const mondayBased = (((days + 3) % 7) + 7) % 7;
  const thursday = days - mondayBased + 3;
  const { year } = civilFromDays(thursday);
  return year * 100 + Math.floor((thursday - daysFromCivil(year, 1, 1)) / 7) + 1;
}

function digits(text: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const code = text.charCodeAt(i) - 48;
    if (code < 0 || code > 9) return Number.NaN;
    value = value * 10 + code;
  }
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

const DASH = 45;
const COLON = 58;
const DOT = 46;
const PLUS = 43;

/**
 * Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` — the grammar of zod's
 * `z.iso.datetime({ offset: true })` — to epoch milliseconds. Fractions beyond
 * milliseconds are truncated, as `Date.parse` does.
 *
 * @param text - the timestamp
 * @returns epoch milliseconds, or `NaN` when `text` is not such a timestamp
 */
export function parseIsoInstant(text: string): number {
  const n = text.length;
  if (n < 20 || text.charCodeAt(4) !== DASH || text.charCodeAt(7) !== DASH) return Number.NaN;
  if (text.charCodeAt(10) !== 84 /* T */) return Number.NaN;
  if (text.charCodeAt(13) !== COLON || text.charCodeAt(16) !== COLON) return Number.NaN;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (!(month >= 1 && month <= 12 && hour <= 23 && minute <= 59 && second <= 59)) return Number.NaN;
  if (!(day >= 1 && day <= daysInMonth(year, month))) return Number.NaN;
  let pos = 19;
  let millis = 0;
  if (text.charCodeAt(pos) === DOT) {
    const start = ++pos;
    for (let code = text.charCodeAt(pos); code >= 48 && code <= 57; code = text.charCodeAt(++pos)) {
      if (pos - start < 3) millis += (code - 48) * 10 ** (2 - (pos - start));
    }
    if (pos === start) return Number.NaN;
  }
  let offsetMinutes = 0;
  const sign = text.charCodeAt(pos);
  if (sign === 90 /* Z */ && pos + 1 === n) {
    offsetMinutes = 0;
  } else if (
    (sign === PLUS || sign === DASH) &&
    pos + 6 === n &&
    text.charCodeAt(pos + 3) === COLON
  ) {
    const offsetHours = digits(text, pos + 1, 2);
    const offsetMins = digits(text, pos + 4, 2);
    if (!(offsetHours <= 23 && offsetMins <= 59)) return Number.NaN;
    offsetMinutes = (sign === DASH ? -1 : 1) * (offsetHours * 60 + offsetMins);
  } else {
    return Number.NaN;
  }
  const seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
  return seconds * 1000 + millis - offsetMinutes * 60_000;
}
