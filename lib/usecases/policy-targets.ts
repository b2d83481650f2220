import pMap from "p-map";
import type { Policy } from "../core/policy.ts";
import type { Target } from "../core/target.ts";
import type { TargetRepository } from "../store/targets.ts";

/**
 * The targets a policy covers: its listed ids (those that exist), every target matching
 * its tag selector, or every target (`all`); retired targets (being deleted) are left out.
 * A selector is a Query on the tag index for one of its tags — never a page through every
 * target — and each target found is checked against the whole selector, so a stale index
 * entry selects nothing. Until the index is known complete (the sweeper indexes targets
 * written before it existed), a selector pages through every target as it always did.
 */
export async function targetsOf(policy: Policy, targets: TargetRepository): Promise<Target[]> {
  const covered = await targetIdsOf(policy, targets);
  return covered.resolve(covered.ids);
}

/**
 * Whether a policy covers a target (disabled policies too): listed by id, matching every
 * tag of its selector, or `all`. Retired targets (being deleted) are covered by none.
 */
export function covers(policy: Policy, target: Target): boolean {
  if (target.retiredAt) return false;
  const t = policy.targets;
  if ("ids" in t) return t.ids.includes(target.id);
  if ("selector" in t) return Object.entries(t.selector).every(([k, v]) => target.tags[k] === v);
  return true;
}

/** The targets a policy covers, as ids first: read in full only when their turn comes. */
export interface CoveredTargets {
  /** Every id the policy may cover (a stale index entry or a retired target included). */
  ids: string[];
  /** Those of `ids` it covers, read in full (at most {@link READ_CONCURRENCY} at a time). */
  resolve(ids: readonly string[]): Promise<Target[]>;
}

/** Target reads in flight at once when a policy's targets are resolved. */
const READ_CONCURRENCY = 16;

/**
 * The ids a policy covers, cheaply: its listed ids, or the tag index's ids for one of its
 * selector's tags (a Query, pages of ids) — each target is read only when `resolve` is
 * asked for it, so a tick through a fleet of 10,000 reads each batch's targets as it
 * claims them, not all of them before the first claim. Without a complete tag index (or
 * for `all`), the targets are paged through in full as before, and `resolve` only picks.
 */
export async function targetIdsOf(
  policy: Policy,
  targets: TargetRepository,
): Promise<CoveredTargets> {
  const selector = "selector" in policy.targets ? Object.entries(policy.targets.selector) : [];
  const matches = (t: Target) => covers(policy, t);
  const read = async (ids: readonly string[]) =>
    (await pMap(ids, (id) => targets.find(id), { concurrency: READ_CONCURRENCY })).filter(
      (t): t is Target => t !== undefined && matches(t),
    );
  if ("ids" in policy.targets) return { ids: [...new Set(policy.targets.ids)], resolve: read };
  const [first] = selector;
  if (first && (await targets.tagIndexComplete())) {
    const ids = new Set<string>();
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await targets.taggedIds(first[0], first[1], cursor);
      for (const id of page.ids) ids.add(id);
      cursor = page.next;
    } while (cursor);
    return { ids: [...ids], resolve: read };
  }
  const matching = new Map<string, Target>();
  let cursor: string | undefined;
  do {
    const page = await targets.list({ limit: 100, cursor });
    for (const t of page.items.filter(matches)) matching.set(t.id, t);
    cursor = page.nextCursor;
  } while (cursor);
  return {
    ids: [...matching.keys()],
    resolve: async (ids) => ids.flatMap((id) => matching.get(id) ?? []),
  };
}
