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
  if ("ids" in policy.targets) {
    const found = await Promise.all(policy.targets.ids.map((id) => targets.find(id)));
    return found.filter((t): t is Target => t !== undefined && !t.retiredAt);
  }
  const selector = "selector" in policy.targets ? Object.entries(policy.targets.selector) : [];
  const matches = (t: Target) => !t.retiredAt && selector.every(([k, v]) => t.tags[k] === v);
  const [first] = selector;
  if (first && (await targets.tagIndexComplete())) {
    const ids = new Set<string>();
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await targets.taggedIds(first[0], first[1], cursor);
      for (const id of page.ids) ids.add(id);
      cursor = page.next;
    } while (cursor);
    const found = await Promise.all([...ids].map((id) => targets.find(id)));
    return found.filter((t): t is Target => t !== undefined && matches(t));
  }
  const matching: Target[] = [];
  let cursor: string | undefined;
  do {
    const page = await targets.list({ limit: 100, cursor });
    matching.push(...page.items.filter(matches));
    cursor = page.nextCursor;
  } while (cursor);
  return matching;
}
