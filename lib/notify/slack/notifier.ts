import * as z from "zod";
import { WardenError } from "../../core/errors.ts";
import type { NotificationRouting } from "../../core/policy.ts";
import { readSecret, type SecretSource } from "../../providers/secrets.ts";
import { type DomainEvent, type EventType, parseDomainEvent } from "../events.ts";
import { MetricName, type Metrics, noMetrics } from "../metrics.ts";
import { buildDigest, type DigestPeriod, type DigestRow, type DigestStorage } from "./digest.ts";
import type { SlackMessage } from "./limits.ts";
import { messageFor } from "./messages.ts";
import type { WebhookSender } from "./sender.ts";

/** Which routing entry an event type uses. */
export const ROUTE_OF = {
  "backup.failed": "failures",
  "backup.delete_failed": "failures",
  "backup.vanished": "failures",
  "backup.orphaned": "deletions",
  "schedule.missed": "failures",
  "schedule.skipped": "failures",
  "schedule.failed": "failures",
  "backup.deleted": "deletions",
  "backup.expiring": "deletions",
  "backup.hold_lifted": "deletions",
  "backup.created": undefined,
  "backup.available": "successes",
  // A restore writes data somewhere (perhaps over it): its end is always worth the alerts
  // channel, good or bad; the request itself only counts.
  "restore.requested": undefined,
  "restore.restored": "failures",
  "restore.failed": "failures",
  // Backups that quietly stopped: the failure operators fear most, and its end.
  "freshness.breached": "failures",
  "freshness.recovered": "failures",
} as const satisfies Record<EventType, keyof NotificationRouting | undefined>;

/** What routing is looked up by: the policy and target an event or digest row concerns. */
export interface RoutingSubject {
  policyId?: string;
  targetId?: string;
}

/** The only host incoming webhooks live on. */
export const SLACK_WEBHOOK_HOST = "hooks.slack.com";
const LOOPBACK = ["127.0.0.1", "localhost", "[::1]"];

/**
 * The secret of an incoming webhook: `{"url": "https://hooks.slack.com/services/…"}` (or
 * the URL as a JSON string). Only Slack's own host over https: the URL is a credential, and
 * a message sent anywhere else leaks what it says. With `allowLoopback` (the local
 * runtime's sink), plain http on loopback too.
 */
export function webhookSecret(allowLoopback = false) {
  return z.union([z.url(), z.object({ url: z.url() }).transform((s) => s.url)]).refine((url) => {
    const { protocol, hostname } = new URL(url);
    return (
      (protocol === "https:" && hostname === SLACK_WEBHOOK_HOST) ||
      (allowLoopback && protocol === "http:" && LOOPBACK.includes(hostname))
    );
  }, `url must be https://${SLACK_WEBHOOK_HOST}/…`);
}

/** How one notification ended; the notifier never throws. */
export type NotifyOutcome =
  | "sent"
  | "not-notified"
  | "unrouted"
  | "duplicate"
  | "busy"
  | "invalid"
  | "failed";

/** A logger in the shape of `functions/log.ts`; `lib/` never writes to the console itself. */
export type NotifyLog = (
  level: "info" | "warn" | "error",
  message: string,
  fields?: Record<string, unknown>,
) => void;

/** Options of {@link SlackNotifier}. */
export interface SlackNotifierOptions {
  sender: WebhookSender;
  secrets: SecretSource;
  /** The routing of the policy (or target) concerned; `undefined` uses the default webhook. */
  resolveRouting?: (
    subject: RoutingSubject,
  ) => Promise<NotificationRouting | undefined> | NotificationRouting | undefined;
  /** Secret name of the webhook used when routing names none. */
  defaultWebhookRef?: string;
  metrics?: Metrics;
  log?: NotifyLog;
  /** `backup.expiring` is followed by `backup.deleted`; message it too only when asked. */
  notifyExpiring?: boolean;
  /** Accept webhook URLs on loopback over plain http (the local runtime's Slack sink). */
  allowLoopbackWebhooks?: boolean;
  /**
   * Which events were handled, shared by every container (the table): an event is claimed
   * before its message is sent, so a redelivered event is messaged once.
   */
  deliveries?: DeliveryLog;
}

/** The shared memory of handled events (lib/store/deliveries.ts behind it). */
export interface DeliveryLog {
  /**
   * `claimed`: ours to send. `done`: messaged already. `busy`: another delivery claimed it
   * and has not finished — it may have died, so the caller is retried later (Lambda's
   * async retries), when a claim that old is taken over.
   */
  claim(eventId: string, token: string): Promise<"claimed" | "done" | "busy">;
  finish(eventId: string, token: string, status: "DONE" | "FAILED"): Promise<void>;
}

/** Ids of recently sent events: EventBridge delivers at least once. */
const REMEMBERED = 1_000;

/**
 * Turns domain events into Slack messages. Validates each event on receipt, skips the
 * routine ones (created, available; expiring unless asked), picks the webhook by kind —
 * failures (failed, delete_failed, missed, skipped), deletions (deleted, expiring) or
 * digest — from the policy's routing or the default, reads its URL from the secret
 * source, and sends. Every failure is logged and counted and the call still resolves:
 * a failure to notify never fails a backup.
 *
 * @example
 * const notifier = new SlackNotifier({ sender: new SlackSender(), secrets, defaultWebhookRef: "warden/slack" });
 * bus.subscribe((event) => notifier.notify(event));
 */
export class SlackNotifier {
  readonly #o: SlackNotifierOptions;
  readonly #metrics: Metrics;
  readonly #log: NotifyLog;
  readonly #sent = new Set<string>();

  constructor(options: SlackNotifierOptions) {
    this.#o = options;
    this.#metrics = options.metrics ?? noMetrics;
    this.#log = options.log ?? (() => {});
  }

  /** Notifies about one event (our `{type, detail}` or an EventBridge event). Never rejects. */
  async notify(input: unknown): Promise<NotifyOutcome> {
    try {
      return await this.#notify(input);
    } catch (error) {
      // Last line of defence: whatever broke, the caller (a bus, a backup) must not see it.
      return this.#failed({ type: "unknown" }, error, "Slack notifier failed");
    }
  }

  async #notify(input: unknown): Promise<NotifyOutcome> {
    let event: DomainEvent;
    try {
      event = parseDomainEvent(input);
    } catch (error) {
      this.#metrics.count(MetricName.eventRejected, { consumer: "slack" });
      this.#log("error", "slack notifier rejected an event", {
        errorMessage: (error as Error).message,
      });
      return "invalid";
    }
    const route = ROUTE_OF[event.type];
    const dims = { type: event.type };
    if (route === undefined || (event.type === "backup.expiring" && !this.#o.notifyExpiring)) {
      this.#metrics.count(MetricName.notifySkipped, { ...dims, reason: "not-notified" });
      return "not-notified";
    }
    if (route === "successes" && !(await this.#successesRouted(event.detail))) {
      this.#metrics.count(MetricName.notifySkipped, { ...dims, reason: "not-notified" });
      return "not-notified";
    }
    const { eventId } = event.detail;
    if (this.#sent.has(eventId)) {
      this.#metrics.count(MetricName.notifySkipped, { ...dims, reason: "duplicate" });
      return "duplicate";
    }
    const message = messageFor(event);
    if (message === undefined) return "not-notified";
    // Claimed right before posting (the webhook already resolved, so a crash in between is
    // as short as it gets), so a concurrent duplicate delivery is dropped too: in this
    // container by memory, across containers and restarts by the delivery log.
    this.#remember(eventId);
    const token = crypto.randomUUID();
    const deliveries = this.#o.deliveries;
    let claimed = false;
    const claim = async (): Promise<NotifyOutcome | undefined> => {
      if (!deliveries) return undefined;
      // The table failing us is no reason to drop the message: "busy" gets it retried.
      const answer = await deliveries.claim(eventId, token).catch((error: unknown) => {
        this.#log("warn", "the delivery log could not be read; the event is retried", {
          ...dims,
          errorName: error instanceof Error ? error.name : typeof error,
        });
        return "busy" as const;
      });
      if (answer === "claimed") {
        claimed = true;
        return undefined;
      }
      this.#metrics.count(MetricName.notifySkipped, { ...dims, reason: "duplicate" });
      return answer === "done" ? "duplicate" : "busy";
    };
    const outcome = await this.#deliver(route, event.detail, message, { ...dims, eventId }, claim);
    if (outcome !== "sent") this.#sent.delete(eventId); // a redelivery may try again
    if (claimed) {
      // A sent message stays sent: a failed record of it only risks a later duplicate.
      await deliveries
        ?.finish(eventId, token, outcome === "sent" ? "DONE" : "FAILED")
        .catch((error: unknown) =>
          this.#log("warn", "the delivery log could not be written", {
            ...dims,
            errorName: error instanceof Error ? error.name : typeof error,
          }),
        );
    }
    return outcome;
  }

  /**
   * Sends the digest: one message per digest webhook, holding the rows routed to it.
   *
   * @returns one outcome per webhook (or `unrouted` when none is configured)
   */
  async sendDigest(
    rows: readonly DigestRow[],
    period: DigestPeriod,
    storage?: DigestStorage,
  ): Promise<NotifyOutcome[]> {
    const byRef = new Map<string | undefined, DigestRow[]>();
    for (const row of rows) {
      const ref = await this.#webhookRef("digest", row).catch(() => this.#o.defaultWebhookRef);
      byRef.set(ref, [...(byRef.get(ref) ?? []), row]);
    }
    if (byRef.size === 0) byRef.set(this.#o.defaultWebhookRef, []);
    const outcomes: NotifyOutcome[] = [];
    for (const [ref, group] of byRef) {
      const fields = { type: "digest", rows: group.length };
      outcomes.push(await this.#send(ref, buildDigest(group, period, storage), fields));
    }
    return outcomes;
  }

  async #deliver(
    route: keyof NotificationRouting,
    subject: RoutingSubject,
    message: SlackMessage,
    fields: Record<string, string>,
    beforePost?: () => Promise<NotifyOutcome | undefined>,
  ): Promise<NotifyOutcome> {
    let ref: string | undefined;
    try {
      ref = await this.#webhookRef(route, subject);
    } catch (error) {
      return this.#failed(fields, error, "routing lookup failed");
    }
    return this.#send(ref, message, fields, beforePost);
  }

  async #send(
    ref: string | undefined,
    message: SlackMessage,
    fields: Record<string, string | number>,
    beforePost?: () => Promise<NotifyOutcome | undefined>,
  ): Promise<NotifyOutcome> {
    const dims = { type: String(fields.type) };
    if (ref === undefined) {
      this.#metrics.count(MetricName.notifySkipped, { ...dims, reason: "unrouted" });
      this.#log("warn", "no Slack webhook configured for this notification", fields);
      return "unrouted";
    }
    try {
      const url = await readSecret(
        this.#o.secrets,
        ref,
        webhookSecret(this.#o.allowLoopbackWebhooks === true),
      );
      const stop = await beforePost?.();
      if (stop) return stop;
      await this.#o.sender.send(url, message);
    } catch (error) {
      return this.#failed({ ...fields, webhookRef: ref }, error, "Slack notification failed");
    }
    this.#metrics.count(MetricName.notifySent, dims);
    return "sent";
  }

  #failed(fields: Record<string, string | number>, error: unknown, message: string): NotifyOutcome {
    this.#metrics.count(MetricName.notifyFailed, { type: String(fields.type) });
    // Our own errors are worded to be safe; anyone else's message might quote the URL.
    const e =
      error instanceof WardenError
        ? { errorName: error.name, errorMessage: error.message }
        : { errorName: error instanceof Error ? error.name : typeof error };
    this.#log("error", message, { ...fields, ...e });
    return "failed";
  }

  async #webhookRef(
    route: keyof NotificationRouting,
    subject: RoutingSubject,
  ): Promise<string | undefined> {
    const routing = await this.#o.resolveRouting?.({
      policyId: subject.policyId,
      targetId: subject.targetId,
    });
    // Successes are opt-in per policy: they never fall back to the default webhook.
    if (route === "successes") return routing?.successes;
    return routing?.[route] ?? this.#o.defaultWebhookRef;
  }

  /** Whether the policy asked for success messages (an opt-in webhook). */
  async #successesRouted(subject: RoutingSubject): Promise<boolean> {
    try {
      return (await this.#webhookRef("successes", subject)) !== undefined;
    } catch {
      return false;
    }
  }

  #remember(eventId: string): void {
    this.#sent.add(eventId);
    if (this.#sent.size > REMEMBERED) {
      const oldest = this.#sent.values().next().value;
      if (oldest !== undefined) this.#sent.delete(oldest);
    }
  }
}
