import { vendorFacts } from "../../core/vendors.ts";

/**
 * Small formatters for Slack text: values an on-call engineer reads at a glance.
 */

/** The vendor's display name (lib/core/vendors.ts), e.g. `Zilliz Cloud`; an unknown one shows its id. */
export function vendorLabel(provider: string | undefined): string {
  if (provider === undefined) return "—";
  return vendorFacts(provider)?.label ?? provider;
}

/**
 * Escapes text for mrkdwn: `&`, `<` and `>` are control characters there, and vendor
 * messages must not be able to ping `<!channel>` or forge links.
 *
 * @example escapeMrkdwn("a < b") // "a &lt; b"
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Inline code for an id; backticks inside would end the span, so they become quotes. */
export function code(text: string): string {
  return `\`${escapeMrkdwn(text).replace(/`/g, "'")}\``;
}

const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"] as const;

/**
 * A size in binary units with three significant digits.
 *
 * @example humanBytes(1_610_612_736) // "1.50 GiB"
 */
export function humanBytes(bytes: number | undefined): string {
  if (bytes === undefined) return "not reported";
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${bytes} B`;
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}

/**
 * A duration in its two largest units.
 *
 * @example humanDuration(252_000) // "4m 12s"
 */
export function humanDuration(ms: number | undefined): string {
  if (ms === undefined) return "—";
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, "0")}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${String(minutes % 60).padStart(2, "0")}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** An instant as `2026-03-29 01:00 UTC`: unambiguous for a team across zones. */
export function humanTime(isoTime: string | undefined): string {
  if (isoTime === undefined) return "—";
  return `${isoTime.slice(0, 16).replace("T", " ")} UTC`;
}

/**
 * An instant Slack renders in each reader's own zone, with the UTC text as fallback.
 *
 * @example slackTime("2026-03-29T01:00:00.000Z") // "<!date^1774746000^{date_short_pretty} {time}|2026-03-29 01:00 UTC>"
 */
export function slackTime(isoTime: string): string {
  const epoch = Math.floor(Date.parse(isoTime) / 1000);
  if (!Number.isFinite(epoch)) return escapeMrkdwn(isoTime);
  return `<!date^${epoch}^{date_short_pretty} {time}|${humanTime(isoTime)}>`;
}
