/**
 * Fast UTC-offset lookups for an IANA time zone.
 *
 * `Intl.DateTimeFormat` is the only zone database we have, and one call costs a few
 * microseconds — too slow to make per backup when planning 100,000 of them. Offsets only
 * change at transitions, so we ask Intl once per UTC day (offset at the day's start) and
 * only binary-search the exact second of a transition in the rare day whose start and end
 * offsets differ. This assumes a zone changes its offset at most once per UTC day, which
 * holds for every transition in the tz database that backups can plausibly carry.
 */
import { DAY_MS } from "./calendar.ts";

/** Intl refuses instants beyond ±8.64e15 ms; clamp so far-away thresholds never throw. */
const MAX_INSTANT = 8.64e15;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    // `longOffset` renders just "GMT+01:00" (or "GMT-00:16:08" for old local mean time),
    // which is cheaper to produce and parse than full `formatToParts` output.
    formatter = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * Whether `timeZone` is an IANA zone name (or offset) that this runtime's Intl knows.
 *
 * @param timeZone - e.g. `"Europe/Berlin"`
 */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

const OFFSET_TEXT = /GMT(?:([+-])(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * Converts between instants and wall-clock readings ("local ms") in one zone, with a
 * per-UTC-day offset cache. Create one per planning run; the Intl formatter is shared.
 */
export class ZoneClock {
  readonly timeZone: string;
  readonly #formatter: Intl.DateTimeFormat | undefined;
  /** Offset at 00:00 UTC of each day, keyed by day number; shared by adjacent days. */
  readonly #dayStarts = new Map<number, number>();
  /** First instant with the new offset, for the rare days whose start and end offsets differ. */
  readonly #transitions = new Map<number, number>();
  // The day looked up last: the planner walks backups in time order, so this mostly hits.
  #day = Number.NaN;
  #start = 0;
  #end = 0;
  #transition = 0;

  /**
   * @param timeZone - a zone accepted by {@link isValidTimeZone}
   */
  constructor(timeZone: string) {
    this.timeZone = timeZone;
    const utc = timeZone === "UTC" || timeZone === "Etc/UTC";
    this.#formatter = utc ? undefined : formatterFor(timeZone);
  }

  /**
   * The zone's UTC offset in ms at an instant (positive east of Greenwich).
   *
   * @param utcMs - epoch milliseconds
   */
  offsetAt(utcMs: number): number {
    if (this.#formatter === undefined) return 0;
    const day = Math.floor(utcMs / DAY_MS);
    if (day !== this.#day) {
      this.#day = day;
      this.#start = this.#dayStart(day);
      this.#end = this.#dayStart(day + 1);
      this.#transition = this.#start === this.#end ? 0 : this.#findTransition(day, this.#end);
    }
    return this.#start === this.#end || utcMs < this.#transition ? this.#start : this.#end;
  }

  /**
   * The wall-clock reading at an instant, encoded as if it were UTC.
   *
   * @param utcMs - epoch milliseconds
   */
  toLocal(utcMs: number): number {
    return utcMs + this.offsetAt(utcMs);
  }

  /**
   * The instant of a wall-clock reading, resolving gaps and overlaps exactly like Go's
   * `time.Date`: try the offset in force at the reading taken as UTC, and if the result
   * lands in another offset period, use that period's offset instead.
   *
   * @param localMs - a wall-clock reading encoded as if it were UTC
   */
  fromLocal(localMs: number): number {
    const guess = this.offsetAt(localMs);
    const utc = localMs - guess;
    const actual = this.offsetAt(utc);
    return actual === guess ? utc : localMs - actual;
  }

  #dayStart(day: number): number {
    let offset = this.#dayStarts.get(day);
    if (offset === undefined) {
      offset = this.#intlOffset(day * DAY_MS);
      this.#dayStarts.set(day, offset);
    }
    return offset;
  }

  #intlOffset(utcMs: number): number {
    const clamped = Math.min(MAX_INSTANT, Math.max(-MAX_INSTANT, utcMs));
    const match = OFFSET_TEXT.exec(this.#formatter!.format(clamped));
    if (match === null) throw new Error(`cannot read the UTC offset of ${this.timeZone}`);
    if (match[1] === undefined) return 0;
    const seconds = Number(match[2]) * 3600 + Number(match[3]) * 60 + Number(match[4] ?? 0);
    return (match[1] === "-" ? -seconds : seconds) * 1000;
  }

  /** Smallest whole second in the day whose offset is already `end` (tz data is in seconds). */
  #findTransition(day: number, end: number): number {
    const cached = this.#transitions.get(day);
    if (cached !== undefined) return cached;
    let low = (day * DAY_MS) / 1000; // offset here is still the start offset
    let high = low + DAY_MS / 1000; // offset here is `end`
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if (this.#intlOffset(middle * 1000) === end) high = middle;
      else low = middle;
    }
    this.#transitions.set(day, high * 1000);
    return high * 1000;
  }
}
