import * as z from "zod";
import { RetentionPolicySchema } from "../retention/index.ts";
import { BackupTag } from "./backup.ts";
import { Duration } from "./duration.ts";
import { ID_PATTERN } from "./ids.ts";
import { SecretRef, Tags } from "./target.ts";

/**
 * When backups run: a 5-field cron expression or `rate(N minutes|hours|days)`, read in
 * an IANA time zone. (Evaluation lives in `lib/schedule/`.)
 */
export const Schedule = z.object({
  expression: z
    .string()
    .min(1)
    .max(100)
    .refine(
      (e) =>
        /^rate\(\d+ (minute|minutes|hour|hours|day|days)\)$/.test(e) ||
        e.trim().split(/\s+/).length === 5,
      "a 5-field cron expression or rate(N minutes|hours|days)",
    ),
  timeZone: z.string().default("UTC"),
});
export type Schedule = z.infer<typeof Schedule>;

/**
 * Which targets a policy covers: listed ids, every target carrying the given tags, or —
 * said explicitly — all targets. An empty selector would match every target by accident,
 * so it is refused.
 */
export const PolicyTargets = z.union([
  z.object({ ids: z.array(z.string().regex(ID_PATTERN)).min(1).max(500) }).strict(),
  z
    .object({
      selector: Tags.refine((tags) => Object.keys(tags).length > 0, {
        message: 'an empty selector would select every target; say { "all": true } for that',
      }),
    })
    .strict(),
  z.object({ all: z.literal(true) }).strict(),
]);
export type PolicyTargets = z.infer<typeof PolicyTargets>;

/** What a policy covers, in a few words: `a,b`, `env=prod,team=x` or `(all)`. */
export function describeTargets(targets: PolicyTargets): string {
  if ("ids" in targets) return targets.ids.join(",");
  if ("selector" in targets)
    return Object.entries(targets.selector)
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
  return "(all)";
}

/** Where a policy's notifications go, by kind of event (secret names of Slack webhooks). */
export const NotificationRouting = z
  .object({
    failures: SecretRef.optional(),
    deletions: SecretRef.optional(),
    digest: SecretRef.optional(),
    /** Every backup that became AVAILABLE; off unless set (never the default webhook). */
    successes: SecretRef.optional(),
  })
  .strict();
export type NotificationRouting = z.infer<typeof NotificationRouting>;

/** A backup policy: schedule, targets, retention and notification routing. */
export const PolicySpec = z.object({
  id: z.string().regex(ID_PATTERN),
  name: z.string().min(1).max(200),
  schedule: Schedule,
  /** Minutes after the scheduled time during which a start still counts (else MISSED). */
  startWindowMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(60),
  targets: PolicyTargets,
  retention: RetentionPolicySchema,
  /**
   * Retention never removes a backup that would leave a covered target with fewer than
   * this many AVAILABLE backups of ours (the newest ones are kept).
   */
  keepAtLeast: z.number().int().min(1).max(1000).default(1),
  /**
   * Restore drills: the newest AVAILABLE backup of each covered target is restored into a
   * scratch resource the drill creates, checked, and torn down, at most this often
   * (`every`, a duration such as `7d`), within a time cap and a cost ceiling in
   * resource-hours. Retention then never removes a target's newest verified backup.
   */
  verify: z
    .object({
      every: Duration(["h", "d"]),
      maxMinutes: z
        .number()
        .int()
        .min(5)
        .max(24 * 60)
        .default(120),
      maxResourceHours: z.number().positive().max(1000).default(4),
      /**
       * A designated scratch resource for backups whose vendor restores only into an
       * existing one: Zilliz collection backups go into this cluster (its same-named
       * collections are replaced at every drill; nothing of it is ever deleted).
       */
      scratch: z
        .object({
          zillizClusterId: z
            .string()
            .regex(/^[A-Za-z0-9-]{1,64}$/, "a Zilliz cluster id such as in01-abc123"),
        })
        .strict()
        .optional(),
    })
    .strict()
    .optional(),
  /**
   * Tags every backup this policy makes carries (restic-style strings), so the
   * retention's `tags` rule can keep them.
   */
  backupTags: z.array(BackupTag).max(20).default([]),
  /**
   * Whether retention also governs the covered targets' unmanaged backups (found at the
   * vendor, not made by us: the console's, the vendor's automatic ones). Off by default:
   * without this opt-in they are shown and never deleted.
   */
  includeUnmanaged: z.boolean().default(false),
  notifications: NotificationRouting.default({}),
  /**
   * The freshness objective (RPO) of every target it covers that sets none of its own:
   * the newest AVAILABLE backup younger than this (`26h`). It holds while the policy is
   * disabled too — a paused schedule is exactly the silent failure it is there to catch.
   */
  rpo: Duration().optional(),
  enabled: z.boolean().default(true),
});

/** A policy as stored. */
export const Policy = PolicySpec.extend({
  /** The next scheduled time the dispatcher will act on (absent while paused). */
  nextRunAt: z.iso.datetime().optional(),
  /**
   * A slot too large for one tick: the targets (by id) the ticks so far claimed and sent
   * for `scheduledAt`, so the next tick goes on after `targetId` (lib/usecases/dispatch.ts).
   * Meaningless once `nextRunAt` moved on; removed when it does.
   */
  dispatchedThrough: z
    .object({ scheduledAt: z.iso.datetime(), targetId: z.string().min(1) })
    .optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  version: z.number().int().nonnegative(),
});
export type Policy = z.infer<typeof Policy>;

/** The body of `POST /v1/policies` (id optional) and `PUT /v1/policies/{id}` (no id). */
export const CreatePolicyInput = PolicySpec.partial({ id: true }).strict();
export type CreatePolicyInput = z.infer<typeof CreatePolicyInput>;
export const UpdatePolicyInput = PolicySpec.omit({ id: true }).strict();
export type UpdatePolicyInput = z.infer<typeof UpdatePolicyInput>;
