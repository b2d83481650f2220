import type { DomainEvent, EventError, EventOf } from "../events.ts";
import { code, escapeMrkdwn, humanBytes, humanDuration, slackTime, vendorLabel } from "./format.ts";
import { enforceLimits, type MrkdwnText, type SlackBlock, type SlackMessage } from "./limits.ts";

/**
 * One Block Kit message per event worth a human's attention: what happened, to which
 * target on which vendor, the status, duration and size, the error with its class, the
 * ids to search for, and what happens next.
 *
 * `backup.created` is routine: it only counts in the daily digest. `backup.available`
 * produces a message, but the notifier sends it only to a policy's `successes` webhook
 * (off unless configured). Everything else — failed, delete_failed, deleted, expiring,
 * schedule.missed and schedule.skipped — is always worth a message.
 */
export function messageFor(event: DomainEvent): SlackMessage | undefined {
  switch (event.type) {
    case "backup.created":
      return undefined;
    case "backup.available":
      return backupMessage(
        event,
        ":white_check_mark: Backup available",
        "Nothing to do. Retention re-plans the target now; backups that fall out of the policy are expired.",
      );
    case "backup.failed":
      return backupMessage(event, ":x: Backup failed", failedNext(event.detail.error));
    case "backup.delete_failed":
      return backupMessage(
        event,
        ":warning: Backup delete failed",
        "The sweeper retries the delete every 15 minutes until the vendor confirms it; the record stays DELETE_FAILED meanwhile. If it keeps failing, delete it in the vendor console — the next retry then finds it gone.",
      );
    case "backup.deleted":
      return backupMessage(
        event,
        ":wastebasket: Backup deleted",
        "Nothing to do. A tombstone records who deleted it and why; the vendor no longer has this backup.",
      );
    case "backup.expiring":
      return backupMessage(
        event,
        ":hourglass_flowing_sand: Backup expiring",
        "The delete workflow removes it shortly. To keep it, place a legal hold on the backup now (API or warden CLI): a held backup is never deleted.",
      );
    case "backup.orphaned":
      return backupMessage(
        event,
        ":broom: Orphaned vendor backup found",
        `It carries our id but no record claimed it (the reason is above). It is recorded now and deleted after ${escapeMrkdwn(event.detail.deleteAfter)} unless someone places a hold on it.`,
      );
    case "backup.vanished":
      // A vendor's own backups come and go with its retention: nothing to tell anyone.
      if (event.detail.origin === "unmanaged") return undefined;
      return backupMessage(
        event,
        ":ghost: Backup vanished at the vendor",
        "The vendor no longer has this backup, and we did not delete it. Check the vendor console and audit log for who removed it; the record is kept as a tombstone, marked with the time it was found gone.",
      );
    case "backup.hold_lifted":
      return backupMessage(
        event,
        ":unlock: Legal hold lifted",
        `${escapeMrkdwn(event.detail.liftedBy)} lifted the hold placed by ${escapeMrkdwn(event.detail.hold.by)} on ${escapeMrkdwn(event.detail.hold.at)} ("${escapeMrkdwn(event.detail.hold.reason)}"). Retention applies to this backup again from now: if it is past its expiry, it is expired at once. Place the hold again to keep it.`,
      );
    case "schedule.missed":
      return scheduleMessage(
        event,
        ":alarm_clock: Scheduled backup missed",
        "No backup was taken for this slot and it will not be made up; the next scheduled run starts normally. Check that the dispatcher and the workflows are running.",
      );
    case "schedule.failed":
      return scheduleMessage(
        event,
        ":rotating_light: Scheduled backup could not be started",
        `An error stopped this run (${escapeMrkdwn(event.detail.error.code)}); the dispatcher went on with every other target and policy. The slot is not made up; if it repeats, check the target and the logs of the dispatch function.`,
      );
    case "schedule.skipped":
      return scheduleMessage(
        event,
        ":fast_forward: Scheduled backup skipped",
        "The slot was skipped on purpose; the next scheduled run starts normally. If this repeats, the blocking backup may be stuck.",
      );
    case "restore.requested":
      return undefined;
    case "restore.restored":
      // A drill that passed is what should happen: it shows in the backup's verifiedAt.
      if (event.detail.drillId) return undefined;
      return restoreMessage(
        event,
        ":recycle: Backup restored",
        event.detail.overwrites
          ? "The destination's data was replaced by the backup's. Check the application that uses it."
          : "The new resource is ready. It is yours to use — and to delete when done: backup-warden never deletes a restored resource it was not asked to.",
      );
    case "restore.failed":
      if (event.detail.drillId)
        return restoreMessage(
          event,
          ":rotating_light: Restore drill failed",
          `This backup could not be proven restorable (${escapeMrkdwn(event.detail.error.class)}): restore it by hand to check, and look at the vendor's restore job. What the drill created is torn down (and only that); the next drill runs at the policy's next interval.`,
        );
      return restoreMessage(
        event,
        ":x: Restore failed",
        `The restore is over and is not retried (${escapeMrkdwn(event.detail.error.class)}). ${
          event.detail.overwrites
            ? "The destination may hold partial data: check it before use."
            : "Whatever the vendor created for it is left as it is: check the vendor console."
        } The backup itself is untouched; request the restore again once the cause is fixed.`,
      );
    case "freshness.breached":
      return freshnessMessage(
        event,
        ":rotating_light: Backups stopped: freshness objective breached",
        event.detail.policyIds.length === 0
          ? "No policy covers this target any more, so nothing backs it up: add it to a policy (or give it one), or delete the target if it is gone. This is said once; the recovery is announced too."
          : "The newest good backup is older than the objective. Check that the covering policies are enabled, that their runs start (schedule.* alerts, the dispatcher's logs) and that the vendor takes backups; take one now with `warden backup <target>`. This is said once; the recovery is announced too.",
      );
    case "freshness.recovered":
      return freshnessMessage(
        event,
        ":large_green_circle: Freshness objective met again",
        event.detail.objective === "none"
          ? `The target no longer has a freshness objective (it was out of it since ${slackTime(event.detail.breachedSince)}), so it is no longer watched for freshness.`
          : `A good backup younger than the objective exists again; the target was out of it since ${slackTime(event.detail.breachedSince)}. Nothing to do.`,
      );
  }
}

type RestoreEvent = EventOf<"restore.restored" | "restore.failed">;

function restoreMessage(event: RestoreEvent, title: string, next: string): SlackMessage {
  const d = event.detail;
  const target = d.targetName ?? d.targetId;
  const fields = [
    field(
      "Target",
      d.targetName ? `${escapeMrkdwn(d.targetName)} (${code(d.targetId)})` : code(d.targetId),
    ),
    field("Vendor", escapeMrkdwn(vendorLabel(d.provider))),
    field("Status", code(d.status)),
    field("Duration", humanDuration(d.durationMs)),
    field("Backup id", code(d.backupId)),
    field("Restore id", code(d.restoreId)),
    field(
      "Destination",
      `${d.destinationResourceId ? code(d.destinationResourceId) : "—"}${d.overwrites ? " (overwritten)" : " (new)"}`,
    ),
    field("Requested by", escapeMrkdwn(d.requestedBy)),
  ];
  const blocks: SlackBlock[] = [header(`${title}: ${target}`), { type: "section", fields }];
  if ("error" in d) blocks.push(errorSection(d.error));
  blocks.push(nextSteps(next, d.occurredAt));
  const error = "error" in d ? ` — ${d.error.class}: ${d.error.message}` : "";
  return enforceLimits({
    text: escapeMrkdwn(
      `${title}: ${target} on ${vendorLabel(d.provider)} (${d.restoreId} of ${d.backupId})${error}`,
    ),
    blocks,
  });
}

type BackupEvent = EventOf<
  | "backup.available"
  | "backup.failed"
  | "backup.delete_failed"
  | "backup.deleted"
  | "backup.expiring"
  | "backup.orphaned"
  | "backup.vanished"
  | "backup.hold_lifted"
>;

function backupMessage(event: BackupEvent, title: string, next: string): SlackMessage {
  const d = event.detail;
  const target = d.targetName ?? d.targetId;
  const fields = [
    field(
      "Target",
      d.targetName ? `${escapeMrkdwn(d.targetName)} (${code(d.targetId)})` : code(d.targetId),
    ),
    field("Vendor", escapeMrkdwn(vendorLabel(d.provider))),
    field(
      "Status",
      `${code(d.status)}${d.providerStatus ? ` (vendor: ${code(d.providerStatus)})` : ""}`,
    ),
    field(durationLabel(event.type), humanDuration(d.durationMs)),
    field("Size", humanBytes(d.sizeBytes)),
    field("Backup id", code(d.backupId)),
    field("Vendor backup id", d.providerBackupId ? code(d.providerBackupId) : "—"),
    field("Trigger", triggerText(d.trigger, d.policyId, d.scheduledAt)),
  ];
  if ("reason" in d && d.reason) fields.push(field("Reason", escapeMrkdwn(d.reason)));
  if ("expiresAt" in d && d.expiresAt) fields.push(field("Expires", slackTime(d.expiresAt)));
  const blocks: SlackBlock[] = [header(`${title}: ${target}`), { type: "section", fields }];
  if ("error" in d) blocks.push(errorSection(d.error));
  blocks.push(nextSteps(next, d.occurredAt));
  const vendor = vendorLabel(d.provider);
  const error = "error" in d ? ` — ${d.error.class}: ${d.error.message}` : "";
  return enforceLimits({
    text: escapeMrkdwn(`${title}: ${target} on ${vendor} (${d.backupId})${error}`),
    blocks,
  });
}

type FreshnessEvent = EventOf<"freshness.breached" | "freshness.recovered">;

function freshnessMessage(event: FreshnessEvent, title: string, next: string): SlackMessage {
  const d = event.detail;
  const target = d.targetName ?? d.targetId;
  const age =
    d.ageSeconds === undefined ? "no good backup at all" : humanDuration(d.ageSeconds * 1000);
  const fields = [
    field(
      "Target",
      d.targetName ? `${escapeMrkdwn(d.targetName)} (${code(d.targetId)})` : code(d.targetId),
    ),
    field("Vendor", escapeMrkdwn(vendorLabel(d.provider))),
    field("Objective", `${code(d.objective)} (${escapeMrkdwn(d.objectiveFrom)})`),
    field(
      "Newest good backup",
      d.newestBackupAt ? `${slackTime(d.newestBackupAt)}, ${age} old` : age,
    ),
    field(
      "Covering policies",
      d.policyIds.length ? d.policyIds.map((p) => code(p)).join(", ") : "none (unprotected)",
    ),
  ];
  if (d.newestBackupId) fields.push(field("Backup id", code(d.newestBackupId)));
  return enforceLimits({
    text: escapeMrkdwn(
      `${title}: ${target} on ${vendorLabel(d.provider)} (objective ${d.objective}, ${age})`,
    ),
    blocks: [
      header(`${title}: ${target}`),
      { type: "section", fields },
      nextSteps(next, d.occurredAt),
    ],
  });
}

type ScheduleEvent = EventOf<"schedule.missed" | "schedule.skipped" | "schedule.failed">;

function scheduleMessage(event: ScheduleEvent, title: string, next: string): SlackMessage {
  const d = event.detail;
  const target = d.targetName ?? d.targetId ?? "every target of the policy";
  const policy = d.policyName
    ? `${escapeMrkdwn(d.policyName)} (${code(d.policyId)})`
    : code(d.policyId);
  const fields = [
    field("Policy", policy),
    field("Target", d.targetId ? code(d.targetId) : "all targets"),
    field("Vendor", escapeMrkdwn(vendorLabel(d.provider))),
    field("Scheduled for", slackTime(d.scheduledAt)),
  ];
  if (d.reason) fields.push(field("Reason", escapeMrkdwn(d.reason)));
  if ("windowMinutes" in d && d.windowMinutes)
    fields.push(field("Start window", `${d.windowMinutes} min`));
  if ("blockingBackupId" in d && d.blockingBackupId)
    fields.push(field("Blocked by", code(d.blockingBackupId)));
  const reason = d.reason ? ` — ${d.reason}` : "";
  return enforceLimits({
    text: escapeMrkdwn(`${title}: ${target} (policy ${d.policyId}, ${d.scheduledAt})${reason}`),
    blocks: [
      header(`${title}: ${target}`),
      { type: "section", fields },
      nextSteps(next, d.occurredAt),
    ],
  });
}

/** What an on-call engineer should expect or do after a failed create, by error class. */
function failedNext(error: EventError): string {
  const base =
    "This attempt is over and is not retried; a scheduled policy tries again at its next run. Existing backups are untouched, and any partial vendor backup is cleaned up by the sweeper.";
  const hint: Record<string, string> = {
    AUTH: "The vendor refused our credentials: check the target's credentials secret.",
    QUOTA:
      "The vendor reports a quota or capacity limit: free space or raise the quota before the next run.",
    THROTTLED:
      "The vendor kept throttling us through every retry: if it repeats, spread the schedules.",
    TRANSIENT: "The vendor kept failing through every retry: check its status page.",
    NOT_FOUND:
      "The vendor does not know the resource: check the target's cluster, index or instance id.",
    CONFLICT: "Another backup job was running on the resource (some vendors allow one at a time).",
    INVALID: "The vendor refused the request as invalid: check the target's settings.",
    TIMEOUT:
      "The backup did not finish within the target's completion window: check the job in the vendor console.",
  };
  const specific = hint[error.class];
  return specific ? `${specific} ${base}` : base;
}

function errorSection(error: EventError): SlackBlock {
  const message = escapeMrkdwn(error.message).replace(/```/g, "'''");
  return {
    type: "section",
    text: {
      type: "mrkdwn",
      text: `*Error* ${code(error.code)} · class ${code(error.class)}\n\`\`\`${message}\`\`\``,
    },
  };
}

function durationLabel(type: BackupEvent["type"]): string {
  return type === "backup.deleted" || type === "backup.delete_failed" ? "Delete took" : "Duration";
}

function triggerText(trigger: string, policyId?: string, scheduledAt?: string): string {
  if (trigger !== "schedule") return escapeMrkdwn(trigger);
  const policy = policyId ? ` by ${code(policyId)}` : "";
  return `schedule${policy}${scheduledAt ? `, slot ${slackTime(scheduledAt)}` : ""}`;
}

/** Shared pieces, also used by the digest. */
export function header(text: string): SlackBlock {
  return { type: "header", text: { type: "plain_text", text, emoji: true } };
}

/** A `*Label*\nvalue` field of a section. */
export function field(label: string, value: string): MrkdwnText {
  return { type: "mrkdwn", text: `*${label}*\n${value}` };
}

function nextSteps(text: string, occurredAt: string): SlackBlock {
  return {
    type: "context",
    elements: [
      { type: "mrkdwn", text: `:arrow_right: *What happens next:* ${text}` },
      { type: "mrkdwn", text: `backup-warden · ${slackTime(occurredAt)}` },
    ],
  };
}
