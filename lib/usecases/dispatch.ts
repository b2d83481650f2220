import { createHash } from "node:crypto";
import pMap from "p-map";
import type { Clock } from "../core/clock.ts";
import { newId } from "../core/ids.ts";
import type { Policy } from "../core/policy.ts";
import type { Target } from "../core/target.ts";
import type { LaunchMessage, RunQueue } from "../schedule/run-queue.ts";
import type { PolicyRepository } from "../store/policies.ts";
import type { RunRepository } from "../store/runs.ts";
import type { TargetRepository } from "../store/targets.ts";
import { type FailedRun, recordFailedRun } from "./launch-run.ts";
import type { NextRun } from "./policies.ts";
import { targetIdsOf } from "./policy-targets.ts";

/** A run still CLAIMED this long after its claim was abandoned by a crashed tick. */
export const REDRIVE_AFTER_MS = 2 * 60 * 1000;

/**
 * Claims in flight at once. A claim is one conditional PutItem (~10–20 ms on AWS), so
 * sixteen at a time claim 10,000 runs in well under a minute's tick; more would only
 * trade the table's write capacity for little.
 */
export const CLAIM_CONCURRENCY = 16;

/** Targets claimed, then handed to the launch queue, at a time (a page of the fan-out). */
export const CLAIM_BATCH = 500;

/**
 * A tick starts no batch with less than this left before its invocation's timeout (or
 * twice its slowest batch so far, if more): what is left stays due, unadvanced, and the
 * next tick goes on from it — a timeout would cut a batch off between claim and send.
 */
export const TICK_MARGIN_MS = 10_000;

/** How a tick paces itself. */
export interface TickOptions {
  /** Time left before the invocation's timeout (Lambda's `getRemainingTimeInMillis`). */
  remainingMs?: () => number;
}

export interface DispatcherDeps {
  policies: PolicyRepository;
  targets: TargetRepository;
  runs: RunRepository;
  /** Where claimed runs go to be launched (functions/handlers/launch-run.ts). */
  queue: RunQueue;
  clock: Clock;
  nextRun: NextRun;
  /** Told about a failure the tick recorded and went on from (logs). */
  warn?: (message: string, error: unknown) => void;
  /** Targets claimed and sent at a time (default {@link CLAIM_BATCH}). */
  batchSize?: number;
}

/** What one tick did. */
export interface TickReport {
  /** Due policies seen. */
  policies: number;
  /** Runs claimed (or re-driven) and handed to the launch queue. */
  enqueued: LaunchMessage[];
  /** Runs (or whole policies) an error stopped, recorded and announced. */
  failed: FailedRun[];
  /**
   * Runs another tick claimed moments ago and has not launched yet: left to it, and their
   * policies not advanced by this tick (if that tick died, a later one sends them).
   */
  deferred: number;
  /** The tick ran short of time and left due policies (or part of one) to the next tick. */
  outOfTime: boolean;
}

/**
 * The scheduler's tick: the first stage of the schedule. It only finds due work and claims
 * it: every due policy (a Query on the due index, page after page), every target it covers
 * (a Query on the tag index for a selector), and for each the (policy, target, scheduled
 * time) run, claimed with a conditional put — several at a time, a batch at a time — and
 * handed to the launch queue, whose consumer (lib/usecases/launch-run.ts) takes the lease,
 * writes the record and starts the workflow, as many at once as the queue allows. Then the
 * policy's next run is advanced with a conditional write.
 *
 * Exactly once: a duplicated or retried tick finds the claims and sends nothing; a run
 * claimed by a tick that crashed before it was sent (still CLAIMED long after) is sent
 * again with the same backup id; the launcher acts only on a CLAIMED run, so a message
 * delivered twice starts nothing twice. A policy is advanced only by a tick that put every
 * run of the slot in the queue itself (none left to another tick), so a tick that dies
 * half-way is finished by a later one.
 */
export class Dispatcher {
  readonly #d: DispatcherDeps;

  constructor(deps: DispatcherDeps) {
    this.#d = deps;
  }

  /** Dispatches everything due at `now`, or as much as the time left allows. */
  async tick(now: Date = this.#d.clock.now(), options: TickOptions = {}): Promise<TickReport> {
    const report: TickReport = {
      policies: 0,
      enqueued: [],
      failed: [],
      deferred: 0,
      outOfTime: false,
    };
    const pace = new Pace(options.remainingMs);
    pages: for await (const page of this.#d.policies.due(now)) {
      for (const policy of page) {
        if (pace.short()) break pages;
        report.policies++;
        // One policy that breaks (its selector cannot be read, the queue refuses) must not
        // cost every other policy its tick: recorded, announced once, and the tick goes on.
        try {
          await this.#dispatch(policy, now, report, pace);
        } catch (error) {
          await this.#failed(policy, undefined, error, now, report);
        }
      }
    }
    report.outOfTime = pace.ranShort;
    if (report.outOfTime)
      this.#d.warn?.(
        `the tick ran short of time after ${report.enqueued.length} runs; the next tick goes on`,
        undefined,
      );
    return report;
  }

  async #failed(
    policy: Policy,
    target: Target | undefined,
    error: unknown,
    now: Date,
    report: TickReport,
  ): Promise<void> {
    try {
      report.failed.push(
        await recordFailedRun(this.#d, policy, target, error, {
          scheduledAt: policy.nextRunAt ?? now.toISOString(),
          now,
        }),
      );
    } catch {
      // Warned by recordFailedRun; the policy is not advanced, so the next tick tries again.
    }
  }

  async #dispatch(policy: Policy, now: Date, report: TickReport, pace: Pace): Promise<void> {
    const scheduledAt = policy.nextRunAt;
    if (!scheduledAt) return;
    // In a fixed order, from where an earlier tick that ran short of time stopped: what it
    // sent is not claimed again (only its last, unsent batch is), so a slot larger than one
    // tick moves on tick by tick instead of starting over.
    const through =
      policy.dispatchedThrough?.scheduledAt === scheduledAt
        ? orderOf(policy.dispatchedThrough.targetId)
        : undefined;
    const covered = await targetIdsOf(policy, this.#d.targets);
    const ids = covered.ids
      .map((id) => ({ id, order: orderOf(id) }))
      .filter((t) => through === undefined || t.order > through)
      .sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0))
      .map((t) => t.id);
    const batchSize = this.#d.batchSize ?? CLAIM_BATCH;
    let deferred = 0;
    // How far this tick has sent the slot without a gap: up to the first run another tick
    // holds (or the first left unclaimed). The cursor moves only that far — never past a
    // run that may still be stranded — but it does move, so ticks that overlap a minute
    // apart do not each walk the whole slot again (at 10,000 targets they livelocked).
    let sentThrough: string | undefined;
    let gap = false;
    const note = async () => {
      if (sentThrough)
        await this.#d.policies.dispatchedThrough(policy.id, scheduledAt, sentThrough);
    };
    for (let i = 0; i < ids.length; i += batchSize) {
      // Out of time: the rest of this slot is the next tick's, and the policy stays due.
      if (pace.short()) return note();
      const started = Date.now();
      // Each batch's targets are read as its turn comes (a fleet is not read up front).
      const batch = await covered.resolve(ids.slice(i, i + batchSize));
      // A batch slower than the time left (a loaded table) is cut short too: targets not
      // yet claimed when time runs out are left, and only the prefix done is noted.
      const done = batch.map(() => false);
      const held = batch.map(() => false);
      const claimed = await pMap(
        batch,
        async (target, j) => {
          if (pace.short()) return undefined;
          done[j] = true;
          try {
            const claim = await this.#claim(policy.id, target.id, scheduledAt, now);
            if (claim === "theirs") {
              deferred++;
              held[j] = true;
            }
            return claim === "theirs" ? undefined : claim;
          } catch (error) {
            await this.#failed(policy, target, error, now, report);
            return undefined;
          }
        },
        { concurrency: CLAIM_CONCURRENCY },
      );
      const messages = claimed.filter((m): m is LaunchMessage => m !== undefined);
      await this.#d.queue.send(messages);
      report.enqueued.push(...messages);
      pace.took(Date.now() - started);
      for (let j = 0; j < batch.length && !gap; j++) {
        if (!done[j] || held[j]) gap = true;
        else sentThrough = batch[j]?.id;
      }
      if (done.includes(false)) return note();
    }
    report.deferred += deferred;
    // Another tick holds runs of this slot it has not launched: it advances the policy once
    // it has sent them, and if it died, the next tick after REDRIVE_AFTER_MS sends them.
    if (deferred > 0) return note();
    // Several occurrences may have passed while nothing ticked: jump to the next future one.
    const after = new Date(Math.max(now.getTime(), Date.parse(scheduledAt)));
    const next = this.#d.nextRun(policy.schedule, after, new Date(policy.createdAt)).toISOString();
    await this.#d.policies.advance(policy.id, scheduledAt, next);
  }

  /**
   * The run to send; undefined when it was settled before; `theirs` when another tick
   * claimed it moments ago and has not launched it.
   */
  async #claim(
    policyId: string,
    targetId: string,
    scheduledAt: string,
    now: Date,
  ): Promise<LaunchMessage | "theirs" | undefined> {
    const { run, claimed } = await this.#d.runs.claim({
      policyId,
      targetId,
      scheduledAt,
      backupId: newId("backup", now.getTime()),
      at: now.toISOString(),
    });
    // Claimed by another tick: leave it to that tick, unless that tick evidently died
    // before sending it (still CLAIMED long after) — then send it with the same backup id.
    if (!claimed && run.status !== "CLAIMED") return undefined;
    if (!claimed && now.getTime() - Date.parse(run.at) < REDRIVE_AFTER_MS) return "theirs";
    return { policyId, targetId, scheduledAt, backupId: run.backupId };
  }
}

/**
 * The time a tick has left, against its invocation's timeout: short once less than
 * {@link TICK_MARGIN_MS}, or twice the slowest batch so far, remains. Wall time, as Lambda's
 * timeout is; without a measure of the time left, a tick is never short.
 */
class Pace {
  readonly #remainingMs: (() => number) | undefined;
  #slowestMs = 0;
  ranShort = false;

  constructor(remainingMs: (() => number) | undefined) {
    this.#remainingMs = remainingMs;
  }

  took(ms: number): void {
    this.#slowestMs = Math.max(this.#slowestMs, ms);
  }

  short(): boolean {
    if (this.ranShort) return true;
    if (!this.#remainingMs) return false;
    this.ranShort = this.#remainingMs() < Math.max(TICK_MARGIN_MS, 2 * this.#slowestMs);
    return this.ranShort;
  }
}

/**
 * A target's place in a slot's dispatch order: a hash of its id, then the id. Stable from
 * tick to tick (the cursor relies on it), and it spreads the vendors: in id order a fleet
 * named by vendor (`fleet-huawei-dcs-…` first) launched one vendor after another, each
 * waiting on its own account's budget while the others' stood idle.
 */
function orderOf(targetId: string): string {
  return `${createHash("sha1").update(targetId).digest("hex").slice(0, 12)}#${targetId}`;
}
