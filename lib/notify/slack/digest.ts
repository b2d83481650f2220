import type { BackupRecord } from "../../core/backup.ts";
import type { DomainEvent, EventType } from "../events.ts";
import { code, escapeMrkdwn, humanBytes, humanTime, vendorLabel } from "./format.ts";
import { enforceLimits, SLACK_LIMITS, type SlackBlock, type SlackMessage } from "./limits.ts";
import { field, header } from "./messages.ts";

/** The half-open interval `[from, to)` a digest covers (ISO timestamps). */
export interface DigestPeriod {
  from: string;
  to: string;
}

/** What happened to one target during the period. */
export interface DigestRow {
  targetId: string;
  targetName?: string;
  provider?: string;
  /** Lets the notifier route the row to its policy's digest webhook. */
  policyId?: string;
  created: number;
  failed: number;
  deleted: number;
  missed: number;
}

/** The counters of a row. */
const COUNTS = ["created", "failed", "deleted", "missed"] as const;
type Counter = (typeof COUNTS)[number];

/** The events a {@link DigestTally} counts, and the counter each one adds to. */
const COUNTED = {
  "backup.created": "created",
  "backup.failed": "failed",
  "backup.deleted": "deleted",
  "schedule.missed": "missed",
} as const satisfies Partial<Record<EventType, Counter>>;

const inPeriod = (period: DigestPeriod, iso: string | undefined) =>
  iso !== undefined && iso >= period.from && iso < period.to;

/**
 * Counts backup records into digest rows: created (by `createdAt`), failed (FAILED, by
 * `completedAt`), deleted (DELETED, by `deletedAt`) within the period. Missed runs leave
 * no record; add them with {@link DigestTally} or from the dispatcher's run log.
 */
export function digestRowsFromRecords(
  records: Iterable<BackupRecord>,
  period: DigestPeriod,
): DigestRow[] {
  const rows = new Map<string, DigestRow>();
  for (const r of records) {
    const row = rowOf(rows, r.targetId, r.provider, r.policyId);
    if (inPeriod(period, r.createdAt)) row.created++;
    if (r.status === "FAILED" && inPeriod(period, r.completedAt ?? r.updatedAt)) row.failed++;
    if (r.status === "DELETED" && inPeriod(period, r.deletedAt ?? r.updatedAt)) row.deleted++;
  }
  return [...rows.values()].filter((row) => COUNTS.some((k) => row[k] > 0));
}

/**
 * Counts events as they pass (the local runtime subscribes it to the in-process bus):
 * `backup.created`, `backup.failed`, `backup.deleted` and `schedule.missed` per target.
 * `take(period)` returns the rows whose events occurred in the period and forgets them.
 */
export class DigestTally {
  readonly #events: Array<{
    at: string;
    counter: Counter;
    targetId: string;
    provider?: string;
    policyId?: string;
    targetName?: string;
  }> = [];

  /** Feed it every event; uncounted types are ignored. */
  record(event: DomainEvent): void {
    const counter = COUNTED[event.type as keyof typeof COUNTED];
    if (counter === undefined) return;
    const d = event.detail;
    this.#events.push({
      at: d.occurredAt,
      counter,
      targetId: d.targetId ?? "(all targets)",
      provider: d.provider,
      policyId: "policyId" in d ? d.policyId : undefined,
      targetName: d.targetName,
    });
  }

  /** Rows for the period; events up to its end are forgotten. */
  take(period: DigestPeriod): DigestRow[] {
    const rows = new Map<string, DigestRow>();
    for (const e of this.#events) {
      if (!inPeriod(period, e.at)) continue;
      const row = rowOf(rows, e.targetId, e.provider, e.policyId);
      if (e.targetName) row.targetName = e.targetName;
      row[e.counter]++;
    }
    const kept = this.#events.filter((e) => e.at >= period.to);
    this.#events.splice(0, this.#events.length, ...kept);
    return [...rows.values()];
  }
}

function rowOf(
  rows: Map<string, DigestRow>,
  targetId: string,
  provider?: string,
  policyId?: string,
): DigestRow {
  let row = rows.get(targetId);
  if (row === undefined) {
    row = { targetId, provider, policyId, created: 0, failed: 0, deleted: 0, missed: 0 };
    rows.set(targetId, row);
  }
  row.provider ??= provider;
  row.policyId ??= policyId;
  return row;
}

/** Target lines per section: a section holds 3000 characters, a line is ≤ ~200. */
const LINES_PER_SECTION = 12;

/**
 * The daily digest: totals, then one line per target — targets with failures or missed
 * runs first — so the message answers "is anything wrong?" in its first lines. However
 * many targets there are, the message stays within Slack's limits: surplus targets are
 * summarised in a last line instead of being cut off silently.
 */
/** The storage bill's part of the digest (lib/usecases/usage.ts). */
export interface DigestStorage {
  totalBytes: number;
  byVendor: Record<string, number>;
  byTarget: Record<string, number>;
  /** What was held a day before (the series' day before today). */
  dayBeforeBytes?: number;
}

export function buildDigest(
  rows: readonly DigestRow[],
  period: DigestPeriod,
  storage?: DigestStorage,
): SlackMessage {
  const totals = { created: 0, failed: 0, deleted: 0, missed: 0 };
  for (const row of rows) for (const k of COUNTS) totals[k] += row[k];
  const trouble = totals.failed + totals.missed;
  const title = `${trouble > 0 ? ":warning:" : ":white_check_mark:"} Backup digest ${period.from.slice(0, 10)}`;
  const sorted = [...rows].sort(
    (a, b) => b.failed + b.missed - (a.failed + a.missed) || label(a).localeCompare(label(b)),
  );
  const blocks: SlackBlock[] = [
    header(title),
    {
      type: "section",
      fields: [
        field("Created", String(totals.created)),
        field("Failed", String(totals.failed)),
        field("Deleted", String(totals.deleted)),
        field("Missed", String(totals.missed)),
      ],
    },
    ...(storage ? [storageSection(storage)] : []),
    {
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: `${humanTime(period.from)} – ${humanTime(period.to)} · ${rows.length} targets with activity`,
        },
      ],
    },
  ];
  // Leave room for the divider and the "n more" line within the 50-block limit.
  const room = SLACK_LIMITS.blocks - blocks.length - 2;
  const shown = sorted.slice(0, room * LINES_PER_SECTION);
  if (shown.length > 0) blocks.push({ type: "divider" });
  for (let i = 0; i < shown.length; i += LINES_PER_SECTION) {
    const lines = shown.slice(i, i + LINES_PER_SECTION).map((r) => line(r, storage));
    blocks.push({ type: "section", text: { type: "mrkdwn", text: lines.join("\n") } });
  }
  if (sorted.length > shown.length) {
    blocks.push({
      type: "context",
      elements: [{ type: "mrkdwn", text: `_…and ${sorted.length - shown.length} more targets_` }],
    });
  }
  if (rows.length === 0) {
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: "No backup activity in this period." },
    });
  }
  const stored = storage ? `, ${humanBytes(storage.totalBytes)} stored` : "";
  const text = `Backup digest ${period.from.slice(0, 10)}: ${totals.created} created, ${totals.failed} failed, ${totals.deleted} deleted, ${totals.missed} missed${stored}`;
  return enforceLimits({ text, blocks });
}

function label(row: DigestRow): string {
  return row.targetName ?? row.targetId;
}

/** Storage now, its change over the day, and per vendor. */
function storageSection(storage: DigestStorage): SlackBlock {
  const change =
    storage.dayBeforeBytes === undefined
      ? ""
      : ` (${storage.totalBytes >= storage.dayBeforeBytes ? "+" : "−"}${humanBytes(Math.abs(storage.totalBytes - storage.dayBeforeBytes))} in a day)`;
  const vendors = Object.entries(storage.byVendor)
    .sort(([, a], [, b]) => b - a)
    .map(([v, bytes]) => `${escapeMrkdwn(vendorLabel(v))} ${humanBytes(bytes)}`)
    .join(" · ");
  return {
    type: "section",
    fields: [
      field("Stored", `${humanBytes(storage.totalBytes)}${change}`),
      field("By vendor", vendors || "—"),
    ],
  };
}

function line(row: DigestRow, storage?: DigestStorage): string {
  const mark = row.failed + row.missed > 0 ? ":red_circle:" : ":large_green_circle:";
  const name = row.targetName ? `${escapeMrkdwn(row.targetName.slice(0, 80))} ` : "";
  const held = storage?.byTarget[row.targetId];
  const counts = `created ${row.created} · failed ${row.failed} · deleted ${row.deleted} · missed ${row.missed}${held === undefined ? "" : ` · ${humanBytes(held)} stored`}`;
  return `${mark} ${name}${code(row.targetId.slice(0, 80))} (${escapeMrkdwn(vendorLabel(row.provider))}) — ${counts}`;
}
