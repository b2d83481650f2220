import { html } from "hono/html";
import { formatBytes } from "../cli/output.ts";

/*
 * The console's markup. Every value goes through hono's `html` tagged template, which
 * escapes what it interpolates (& < > " ') unless it is itself markup made here — so a
 * target named `<script>` is shown as text, in an element or an attribute alike.
 */

export type Markup = ReturnType<typeof html>;

/** A page of the console: its title, the section of the nav it belongs to, its body. */
export interface PageSpec {
  title: string;
  nav?: "overview" | "failures" | "policies";
  body: Markup;
  /** Shown above the body: what the last action did, or why it was refused. */
  notice?: { kind: "ok" | "error"; text: string; lines?: string[] };
  /** Signed in with a session (a sign-out form is shown, with its CSRF token). */
  csrf?: string;
}

export function page(spec: PageSpec): Markup {
  const link = (href: string, key: PageSpec["nav"], label: string) =>
    html`<a href="${href}"${spec.nav === key ? html` aria-current="page"` : ""}>${label}</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${spec.title} · backup-warden</title>
<link rel="stylesheet" href="/console.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/">backup-warden</a>
  <nav aria-label="Main">
    ${link("/", "overview", "Fleet")}
    ${link("/failures", "failures", "Failures")}
    ${link("/policies", "policies", "Policies")}
  </nav>
  ${
    spec.csrf
      ? html`<form method="post" action="/logout" class="logout">${csrfField(spec.csrf)}<button type="submit">Sign out</button></form>`
      : ""
  }
</header>
<main id="main">
<h1>${spec.title}</h1>
${spec.notice ? notice(spec.notice) : ""}
${spec.body}
</main>
</body>
</html>`;
}

function notice(n: NonNullable<PageSpec["notice"]>): Markup {
  return html`<div class="notice ${n.kind}" role="${n.kind === "error" ? "alert" : "status"}">
  <p>${n.text}</p>
  ${n.lines?.length ? html`<ul>${n.lines.map((l) => html`<li>${l}</li>`)}</ul>` : ""}
</div>`;
}

/** The hidden field every form carries: the session's CSRF token. */
export function csrfField(csrf: string | undefined): Markup {
  return csrf ? html`<input type="hidden" name="_csrf" value="${csrf}">` : html``;
}

/** A link to one of the console's pages for an id. */
export function linkTo(kind: "targets" | "backups" | "policies", id: string, label = id): Markup {
  return html`<a href="/${kind}/${encodeURIComponent(id)}">${label}</a>`;
}

/** An instant as `2026-11-23 12:32Z`, in a <time> element that carries the exact value. */
export function when(iso: string | undefined): Markup {
  if (!iso) return html`<span class="muted">—</span>`;
  return html`<time datetime="${iso}">${iso.slice(0, 10)} ${iso.slice(11, 16)}Z</time>`;
}

/** 5400 → "1h 30m"; 90 → "1m 30s". */
export function age(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  return `${m}m ${seconds % 60}s`;
}

/** 1536 → "1.5 KiB"; undefined → "—". */
export function bytes(n: number | undefined): string {
  return n === undefined ? "—" : formatBytes(n);
}

/** A status as a badge: its word is always written out, the colour only repeats it. */
export function badge(status: string, label = status): Markup {
  return html`<span class="badge s-${status.toLowerCase().replace(/[^a-z-]/g, "-")}">${label}</span>`;
}

/** A table whose header cells are column headers, in a box that scrolls on a phone. */
export function table(caption: string, headers: string[], rows: Markup[][]): Markup {
  if (rows.length === 0) return html`<p class="muted">${caption}: none.</p>`;
  return html`<div class="scroll" role="region" aria-label="${caption}" tabindex="0"><table>
<caption>${caption}</caption>
<thead><tr>${headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr>${r.map((cell) => html`<td>${cell}</td>`)}</tr>`)}</tbody>
</table></div>`;
}
