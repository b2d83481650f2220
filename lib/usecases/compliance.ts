import pMap from "p-map";
import type { BackupRecord } from "../core/backup.ts";
import type { Clock } from "../core/clock.ts";
import type { FreshnessStatus, TargetCompliance } from "../core/compliance.ts";
import { durationMs } from "../core/duration.ts";
import type { Policy } from "../core/policy.ts";
import type { Target } from "../core/target.ts";
import { freshnessEvent } from "../notify/event-builders.ts";
import type { BackupRepository } from "../store/backups.ts";
import type { FreshnessRepository, FreshnessState } from "../store/freshness.ts";
import type { Page } from "../store/page.ts";
import type { PolicyRepository } from "../store/policies.ts";
import type { TargetRepository } from "../store/targets.ts";
import { covers } from "./policy-targets.ts";
import { STORED_STATUSES } from "./usage.ts";

/** The newest AVAILABLE backup that counts for freshness: ours or the vendor's, never an orphan. */
function isGood(r: BackupRecord): boolean {
  return r.status === "AVAILABLE" && r.origin !== "orphan";
}

/** What a target's records say, newest first (as the by-target index lists them). */
function summarize(records: readonly BackupRecord[]) {
  const good = records.find(isGood);
  const verified = records.find((r) => isGood(r) && r.verifiedAt !== undefined);
  const last = records.find((r) => r.origin === undefined || r.origin === "managed");
  return {
    good,
    verified,
    last,
    storedBytes: records.reduce(
      (sum, r) => sum + (STORED_STATUSES.has(r.status) ? (r.sizeBytes ?? 0) : 0),
      0,
    ),
  };
}

/** The objective that applies to a target: its own, else the tightest of its policies'. */
function objectiveOf(
  target: Target,
  covering: readonly Policy[],
): { objective: string; from: string } | undefined {
  if (target.rpo) return { objective: target.rpo, from: "target" };
  const withRpo = covering.filter((p): p is Policy & { rpo: string } => p.rpo !== undefined);
  withRpo.sort((a, b) => durationMs(a.rpo) - durationMs(b.rpo) || a.id.localeCompare(b.id));
  const tightest = withRpo[0];
  return tightest ? { objective: tightest.rpo, from: `policy:${tightest.id}` } : undefined;
}

/**
 * One target's compliance, from its records (newest first), the policies covering it,
 * and the state last announced for it. Pure: the API, the CLI, the console and the
 * sweeper's monitor all read it from here.
 */
export function assess(
  target: Target,
  covering: readonly Policy[],
  records: readonly BackupRecord[],
  announced: FreshnessState | undefined,
  now: Date,
): TargetCompliance {
  const { good, verified, last, storedBytes } = summarize(records);
  const objective = objectiveOf(target, covering);
  const ageMs = good ? Math.max(0, now.getTime() - Date.parse(good.createdAt)) : undefined;
  // With no good backup yet, the target has gone unprotected since it was registered: a
  // new target is given its objective's time for a first backup.
  const exposedMs = ageMs ?? Math.max(0, now.getTime() - Date.parse(target.createdAt));
  let status: FreshnessStatus;
  if (objective) {
    const within = exposedMs <= durationMs(objective.objective);
    status = within && covering.length > 0 ? "fresh" : "breached";
    // A target with its own objective that nothing covers is breached from the start:
    // nothing will ever make it fresh.
  } else if (covering.length === 0) {
    // Watched before (an announced state exists) and now covered by nothing: its
    // protection went away — a policy deleted, its selector changed. That is a breach.
    status = announced ? "breached" : "unprotected";
  } else status = "no-objective";
  const next = covering
    .filter((p) => p.enabled && p.nextRunAt)
    .map((p) => p.nextRunAt as string)
    .sort()[0];
  return {
    targetId: target.id,
    name: target.name,
    provider: target.provider,
    ...(objective
      ? {
          objective: objective.objective,
          objectiveSeconds: durationMs(objective.objective) / 1000,
          objectiveFrom: objective.from,
        }
      : {}),
    status,
    ...(good && ageMs !== undefined
      ? {
          newestBackup: {
            backupId: good.id,
            at: good.createdAt,
            ageSeconds: Math.floor(ageMs / 1000),
          },
        }
      : {}),
    ...(verified?.verifiedAt
      ? { newestVerified: { backupId: verified.id, at: verified.verifiedAt } }
      : {}),
    ...(last ? { lastResult: { backupId: last.id, at: last.createdAt, status: last.status } } : {}),
    policies: covering.map((p) => ({ id: p.id, enabled: p.enabled })),
    ...(next ? { nextRunAt: next } : {}),
    storedBytes,
    ...(announced?.state === "breached" ? { breachedSince: announced.since } : {}),
  };
}

export interface ComplianceDeps {
  targets: TargetRepository;
  policies: PolicyRepository;
  backups: BackupRepository;
  freshness: FreshnessRepository;
  clock: Clock;
}

/** Targets whose records are read at once. */
const READ_CONCURRENCY = 8;

/**
 * The compliance report: every target against its freshness objective, a page of targets
 * at a time (`GET /v1/compliance`).
 */
export class ComplianceService {
  readonly #d: ComplianceDeps;

  constructor(deps: ComplianceDeps) {
    this.#d = deps;
  }

  /** A page of targets (newest registered first), each assessed now. */
  async report(
    query: { limit?: number; cursor?: string; status?: FreshnessStatus } = {},
  ): Promise<Page<TargetCompliance>> {
    const [page, policies, states] = await Promise.all([
      this.#d.targets.list({ limit: query.limit ?? 100, cursor: query.cursor }),
      this.#d.policies.all(),
      this.#d.freshness.states(),
    ]);
    const now = this.#d.clock.now();
    const items = await this.#assessAll(
      page.items.filter((t) => !t.retiredAt),
      policies,
      states,
      now,
    );
    const filtered = query.status ? items.filter((i) => i.status === query.status) : items;
    return page.nextCursor ? { items: filtered, nextCursor: page.nextCursor } : { items: filtered };
  }

  async #assessAll(
    targets: readonly Target[],
    policies: readonly Policy[],
    states: ReadonlyMap<string, FreshnessState>,
    now: Date,
  ): Promise<TargetCompliance[]> {
    return pMap(
      targets,
      async (t) =>
        assess(
          t,
          policies.filter((p) => covers(p, t)),
          await this.#d.backups.listAllOfTarget(t.id),
          states.get(t.id),
          now,
        ),
      { concurrency: READ_CONCURRENCY },
    );
  }

  /**
   * The freshness monitor (the sweeper runs it): every target assessed, and each change
   * between breached and not announced once — `freshness.breached`, then
   * `freshness.recovered` — with the event in the same conditional write as the state, so
   * two sweeps announce it once and a crash after the write still announces it. It needs
   * nothing to have run: a disabled scheduler, a deleted policy or a vendor that stopped
   * taking backups all end in the same breach. States of targets that are gone are forgotten.
   */
  async watch(): Promise<{
    breached: number;
    breaches: number;
    recoveries: number;
    unprotected: number;
  }> {
    const { freshness } = this.#d;
    const [policies, states] = await Promise.all([this.#d.policies.all(), freshness.states()]);
    const now = this.#d.clock.now();
    const at = now.toISOString();
    const counts = { breached: 0, breaches: 0, recoveries: 0, unprotected: 0 };
    const seen = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await this.#d.targets.list({ limit: 100, cursor });
      const live = page.items.filter((t) => !t.retiredAt);
      const assessed = await this.#assessAll(live, policies, states, now);
      for (const [i, c] of assessed.entries()) {
        const target = live[i] as Target;
        seen.add(target.id);
        const was = states.get(target.id);
        if (c.status === "unprotected") counts.unprotected++;
        if (c.status === "breached") counts.breached++;
        const facts = {
          occurredAt: at,
          targetId: target.id,
          targetName: target.name,
          provider: target.provider,
          objective: c.objective ?? "none",
          objectiveSeconds: c.objectiveSeconds ?? 1,
          objectiveFrom:
            c.objectiveFrom ?? (c.policies.length === 0 ? "no policy covers it" : "none"),
          policyId: c.objectiveFrom?.startsWith("policy:")
            ? c.objectiveFrom.slice("policy:".length)
            : c.policies[0]?.id,
          policyIds: c.policies.map((p) => p.id),
          newestBackupId: c.newestBackup?.backupId,
          newestBackupAt: c.newestBackup?.at,
          ageSeconds: c.newestBackup?.ageSeconds,
        };
        if (c.status === "breached" && was?.state !== "breached") {
          const event = freshnessEvent("freshness.breached", { ...facts, since: at });
          if (
            await freshness.change(
              was,
              { targetId: target.id, state: "breached", since: at },
              event,
            )
          )
            counts.breaches++;
        } else if (c.status !== "breached" && was?.state === "breached") {
          // Fresh again, or nobody asks for freshness any more (the objective removed).
          const event = freshnessEvent("freshness.recovered", {
            ...facts,
            since: at,
            breachedSince: was.since,
          });
          const next = {
            targetId: target.id,
            state: "fresh" as const,
            since: at,
            breachedSince: was.since,
          };
          if (await freshness.change(was, next, event)) counts.recoveries++;
        } else if (c.status === "fresh" && was === undefined) {
          // Watched from now on: if its protection goes away, that is a breach too.
          await freshness.change(undefined, { targetId: target.id, state: "fresh", since: at });
        }
      }
      cursor = page.nextCursor;
    } while (cursor);
    for (const id of states.keys()) if (!seen.has(id)) await freshness.forget(id);
    return counts;
  }
}
