/**
 * Counters the notifier and the in-process bus increment. On AWS the composition root
 * backs this with CloudWatch (e.g. Embedded Metric Format log lines); locally and in tests
 * {@link CountingMetrics} keeps them in memory.
 */
export interface Metrics {
  /** Adds one (or `value`) to the counter `name`, optionally split by dimensions. */
  count(name: string, dimensions?: Record<string, string>, value?: number): void;
}

/** The service name on every log line and metric (the `service` dimension of our metrics). */
export const SERVICE_NAME = "backup-warden";

/** The CloudWatch namespace of our own metrics (EMF log lines on AWS). */
export const METRICS_NAMESPACE = "BackupWarden";

/** Metric names, so dashboards and alarms have one spelling to match. */
export const MetricName = {
  notifySent: "SlackNotificationSent",
  notifyFailed: "SlackNotificationFailed",
  notifySkipped: "SlackNotificationSkipped",
  eventRejected: "DomainEventRejected",
  subscriberFailed: "EventSubscriberFailed",
  /** Per sweep: targets whose newest good backup is older than their objective (alarm ≥ 1). */
  freshnessBreached: "FreshnessBreachedTargets",
  /** Per sweep: targets no policy covers. */
  unprotectedTargets: "UnprotectedTargets",
} as const;

/** In-memory counters; `get("X", { type: "backup.failed" })` reads one series. */
export class CountingMetrics implements Metrics {
  readonly #counters = new Map<string, number>();

  count(name: string, dimensions: Record<string, string> = {}, value = 1): void {
    for (const key of [name, seriesKey(name, dimensions)]) {
      this.#counters.set(key, (this.#counters.get(key) ?? 0) + value);
    }
  }

  /** The total of a counter, or of one series when dimensions are given. */
  get(name: string, dimensions?: Record<string, string>): number {
    return this.#counters.get(dimensions ? seriesKey(name, dimensions) : name) ?? 0;
  }
}

function seriesKey(name: string, dimensions: Record<string, string>): string {
  const parts = Object.entries(dimensions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`);
  return parts.length === 0 ? `${name}{}` : `${name}{${parts.join(",")}}`;
}

/** Counters nobody reads. */
export const noMetrics: Metrics = { count: () => {} };
