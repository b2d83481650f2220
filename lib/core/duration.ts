import * as z from "zod";

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** The longest duration a setting takes: a year. */
const MAX_MS = 366 * UNIT_MS.d;

/**
 * A duration as operators write it: a whole number of minutes, hours or days (`30m`,
 * `26h`, `7d`), from one minute to a year. `units` narrows it (drills: hours or days).
 */
export function Duration(units: readonly (keyof typeof UNIT_MS)[] = ["m", "h", "d"]) {
  const pattern = new RegExp(`^[1-9]\\d{0,5}[${units.join("")}]$`);
  const names = { m: "minutes", h: "hours", d: "days" } as const;
  return z
    .string()
    .regex(
      pattern,
      `a duration in ${units.map((u) => names[u]).join(" or ")}, such as ${units.includes("h") ? "26h" : "30m"}`,
    )
    .refine((d) => durationMs(d) <= MAX_MS, "at most a year");
}

/** A {@link Duration} in milliseconds. */
export function durationMs(duration: string): number {
  const unit = duration.slice(-1) as keyof typeof UNIT_MS;
  return Number(duration.slice(0, -1)) * UNIT_MS[unit];
}
