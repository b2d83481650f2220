/**
 * When to look at a vendor job again: from what we know of it, not on a fixed ladder.
 * Every look is three Step Functions state transitions (Wait, the poll Task, its Choice),
 * so the fewest looks that still see the job finish soon after it does.
 *
 * - **What we know.** The vendor's progress, where it reports one (Zilliz jobs, DCS
 *   records): the job's rate so far gives its remaining time. Otherwise the target's own
 *   history: the median duration of its last good backups.
 * - **Looking at the predicted end.** With an estimate, the next look is when the job
 *   should be done — but never sooner than a step: a tenth of the time it has run so far,
 *   at least 30 s. A job not done at its predicted end is seen at most a step late, that is
 *   max(30 s, 10 % of the job); and a job of hours is looked at every few minutes, never
 *   every two.
 * - **Knowing nothing** (a target's first backup, a vendor without progress): the ladder
 *   of before — 15 s, ×1.5 each time, at most 2 minutes — and a tenth of the elapsed
 *   time once the job has run for half an hour.
 * - **The deadline.** Never past the completion window: the poll after it fails the job as
 *   timed out, on time.
 */
export const POLL_PLAN = {
  /** The first look when nothing is known. */
  firstSeconds: 15,
  /** Knowing nothing: the ladder's growth and its top. */
  factor: 1.5,
  ladderMaxSeconds: 120,
  /** A look again is at least this far off, and at least this share of the time so far. */
  minStepSeconds: 30,
  stepShare: 0.1,
  /** Knowing nothing, the ladder gives way to the tenth after this long. */
  longJobSeconds: 30 * 60,
} as const;

/** What the plan goes by. */
export interface PollFacts {
  /** How long the job has run (since the vendor was asked). */
  elapsedSeconds: number;
  /** The vendor's progress, 0–100, when it reports one. */
  progress?: number;
  /** The median duration of the target's recent good backups, when it has some. */
  expectedSeconds?: number;
  /** The wait that led to this look (the ladder grows from it). */
  previousWaitSeconds?: number;
  /** Time left in the completion window. */
  untilDeadlineSeconds?: number;
}

/** The step after which a job not done at its predicted end is looked at again. */
function stepAfter(elapsedSeconds: number): number {
  return Math.max(POLL_PLAN.minStepSeconds, Math.ceil(elapsedSeconds * POLL_PLAN.stepShare));
}

/** How long the job still has to run, when something tells; undefined when nothing does. */
export function remainingSeconds(facts: PollFacts): number | undefined {
  const { elapsedSeconds, progress, expectedSeconds } = facts;
  if (progress !== undefined && progress > 0 && progress < 100 && elapsedSeconds > 0)
    return (elapsedSeconds * (100 - progress)) / progress;
  if (expectedSeconds !== undefined && expectedSeconds > 0)
    return Math.max(0, expectedSeconds - elapsedSeconds);
  return undefined;
}

/** Seconds until the next look: a whole number, at least 1 (a Wait's SecondsPath). */
export function nextPollSeconds(facts: PollFacts): number {
  const elapsed = Math.max(0, facts.elapsedSeconds);
  const remaining = remainingSeconds({ ...facts, elapsedSeconds: elapsed });
  let wait: number;
  if (remaining !== undefined) {
    // Look when the job should be done, and never sooner than a step: a job whose end is
    // near (or past) is seen at most a step late, and is not asked again and again.
    wait = Math.max(remaining, stepAfter(elapsed));
  } else {
    const ladder =
      facts.previousWaitSeconds === undefined
        ? POLL_PLAN.firstSeconds
        : Math.min(POLL_PLAN.ladderMaxSeconds, facts.previousWaitSeconds * POLL_PLAN.factor);
    wait = elapsed >= POLL_PLAN.longJobSeconds ? Math.max(ladder, stepAfter(elapsed)) : ladder;
  }
  if (facts.untilDeadlineSeconds !== undefined)
    wait = Math.min(wait, Math.max(1, facts.untilDeadlineSeconds + 1));
  return Math.max(1, Math.ceil(wait));
}

/** The median of some durations (seconds), or undefined for none. */
export function medianSeconds(durations: readonly number[]): number | undefined {
  const sorted = durations.filter((d) => Number.isFinite(d) && d > 0).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
