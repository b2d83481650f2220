import { monotonicFactory } from "ulid";

const ulid = monotonicFactory();

/** Id prefixes, so an id says what it names in logs and support tickets. */
export const IdPrefix = { backup: "bk_", target: "tg_", policy: "po_", restore: "rs_" } as const;

/**
 * A new time-sortable id (ULID) with a type prefix.
 *
 * @example newId("backup") // "bk_01JD3…"
 */
export function newId(kind: keyof typeof IdPrefix, now: number = Date.now()): string {
  return `${IdPrefix[kind]}${ulid(now).toLowerCase()}`;
}

/** User-chosen ids (targets, policies) and our generated ones share this shape. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
