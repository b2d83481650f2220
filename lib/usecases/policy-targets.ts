import type { Policy } from "../core/policy.ts";
import type { Target } from "../core/target.ts";
import type { TargetRepository } from "../store/targets.ts";

/**
 * The targets a policy covers: its listed ids (those that exist) or every target
 * matching its tag selector (or every target, for `all`); retired targets (being
 * deleted) are left out.
 */
export async function targetsOf(policy: Policy, targets: TargetRepository): Promise<Target[]> {
  if ("ids" in policy.targets) {
    const found = await Promise.all(policy.targets.ids.map((id) => targets.find(id)));
    return found.filter((t): t is Target => t !== undefined && !t.retiredAt);
  }
  const selector = "selector" in policy.targets ? Object.entries(policy.targets.selector) : [];
  const matching: Target[] = [];
  let cursor: string | undefined;
  do {
    const page = await targets.list({ limit: 100, cursor });
    matching.push(
      ...page.items.filter((t) => !t.retiredAt && selector.every(([k, v]) => t.tags[k] === v)),
    );
    cursor = page.nextCursor;
  } while (cursor);
  return matching;
}
