import type { Clock } from "../core/clock.ts";
import { ValidationError } from "../core/errors.ts";
import { newId } from "../core/ids.ts";
import {
  type CreatePolicyInput,
  Policy,
  type Schedule,
  type UpdatePolicyInput,
} from "../core/policy.ts";
import {
  isEmptyRetentionPolicy,
  planRetention,
  type RetentionPolicyInput,
} from "../retention/index.ts";
import type { IdempotencyRepository } from "../store/idempotency.ts";
import type { Page } from "../store/page.ts";
import type { PolicyRepository } from "../store/policies.ts";
import type { TargetRepository } from "../store/targets.ts";
import { idempotently } from "./idempotent.ts";

/** The next scheduled time strictly after `after` (lib/schedule implements it). */
export type NextRun = (schedule: Schedule, after: Date, anchor?: Date) => Date;

/** Policies: CRUD with the checks an operator would expect before anything runs. */
export class PolicyService {
  readonly #policies: PolicyRepository;
  readonly #targets: TargetRepository;
  readonly #clock: Clock;
  readonly #nextRun: NextRun;
  readonly #idempotency: IdempotencyRepository;

  constructor(deps: {
    policies: PolicyRepository;
    targets: TargetRepository;
    idempotency: IdempotencyRepository;
    clock: Clock;
    nextRun: NextRun;
  }) {
    this.#idempotency = deps.idempotency;
    this.#policies = deps.policies;
    this.#targets = deps.targets;
    this.#clock = deps.clock;
    this.#nextRun = deps.nextRun;
  }

  /** Creates a policy; its first run is the next scheduled time after now. Honours an Idempotency-Key. */
  async create(
    input: CreatePolicyInput,
    idempotencyKey?: string,
  ): Promise<{ entity: Policy; created: boolean }> {
    const now = this.#clock.now();
    const draft = { ...input, id: input.id ?? newId("policy", now.getTime()) };
    await this.#check(draft);
    const policy = Policy.parse({
      ...draft,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      version: 0,
    });
    const { result, created } = await idempotently(
      this.#idempotency,
      {
        scope: "create-policy",
        key: idempotencyKey,
        body: input,
        resultId: policy.id,
        now: this.#clock.now(),
      },
      () => this.#policies.create(this.#scheduled(policy, now)),
      (id) => this.#policies.find(id),
    );
    return { entity: result, created };
  }

  /** Replaces a policy; `expectedVersion` (If-Match) guards against lost updates. */
  async update(id: string, input: UpdatePolicyInput, expectedVersion?: number): Promise<Policy> {
    const current = await this.#policies.get(id);
    await this.#check({ ...input, id });
    const now = this.#clock.now();
    const policy = Policy.parse({
      ...input,
      id,
      createdAt: current.createdAt,
      updatedAt: now.toISOString(),
      version: current.version + 1,
    });
    const scheduleChanged = JSON.stringify(current.schedule) !== JSON.stringify(policy.schedule);
    const kept =
      !scheduleChanged && current.enabled && current.nextRunAt
        ? { ...policy, nextRunAt: current.nextRunAt }
        : undefined;
    return this.#policies.replace(
      kept ?? this.#scheduled(policy, now),
      expectedVersion ?? current.version,
    );
  }

  get(id: string): Promise<Policy> {
    return this.#policies.get(id);
  }

  list(options: { limit?: number; cursor?: string }): Promise<Page<Policy>> {
    return this.#policies.list(options);
  }

  /** Deletes a policy; its backups stay (and keep their own expiry markers). */
  delete(id: string): Promise<void> {
    return this.#policies.delete(id);
  }

  #scheduled(policy: Policy, now: Date): Policy {
    if (!policy.enabled) return { ...policy, nextRunAt: undefined };
    return {
      ...policy,
      nextRunAt: this.#nextRun(policy.schedule, now, new Date(policy.createdAt)).toISOString(),
    };
  }

  async #check(
    policy: Pick<Policy, "id" | "schedule" | "targets" | "retention"> & {
      backupTags?: readonly string[];
    },
  ): Promise<void> {
    const issues: { path: string; message: string }[] = [];
    try {
      this.#nextRun(policy.schedule, this.#clock.now());
    } catch (error) {
      issues.push({
        path: "schedule",
        message: error instanceof Error ? error.message : "invalid schedule",
      });
    }
    if (isEmptyRetentionPolicy(policy.retention)) {
      issues.push({
        path: "retention",
        message: "at least one keep rule is needed: an empty policy would remove every backup",
      });
    } else if (tagsOnlyKeepsNone(policy.retention, policy.backupTags ?? [])) {
      issues.push({
        path: "retention.tags",
        message: `tags are the only keep rule, and none of the tag sets matches the tags of the backups this policy makes (backupTags ${JSON.stringify(policy.backupTags ?? [])}): it would remove all of them; add a count or duration rule, or backupTags`,
      });
    }
    if ("ids" in policy.targets) {
      for (const id of policy.targets.ids) {
        if (!(await this.#targets.find(id)))
          issues.push({ path: "targets.ids", message: `target ${id} does not exist` });
      }
    }
    if (issues.length > 0) throw new ValidationError("invalid policy", issues, 422);
  }
}

/**
 * Whether a policy keeps by tags alone and would keep none of the backups it makes: the
 * planner itself (restic-exact, with its quirks) is asked about one backup carrying the
 * policy's `backupTags`.
 */
function tagsOnlyKeepsNone(retention: RetentionPolicyInput, backupTags: readonly string[]) {
  if (!retention.tags?.length || !isEmptyRetentionPolicy({ ...retention, tags: undefined }))
    return false;
  const probe = { id: "probe", createdAt: "2026-01-01T00:00:00Z", tags: [...backupTags] };
  const plan = planRetention([probe], { tags: retention.tags }, { now: new Date(probe.createdAt) });
  return plan.keep.length === 0;
}
