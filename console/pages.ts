import { html } from "hono/html";
import type * as z from "zod";
import { retentionSummary } from "../cli/commands/policies.ts";
import type { RetentionPlanOut } from "../lib/api/schemas.ts";
import type { BackupRecord } from "../lib/core/backup.ts";
import type { TargetCompliance, UsageReport } from "../lib/core/compliance.ts";
import { describeTargets, type Policy } from "../lib/core/policy.ts";
import type { RestoreRecord } from "../lib/core/restore.ts";
import type { Target } from "../lib/core/target.ts";
import { age, badge, bytes, csrfField, linkTo, type Markup, table, when } from "./html.ts";

/*
 * The console's pages as markup, from what the API answered (console/server.ts fetches
 * it). Nothing here decides anything the API does not: the pages show its data and send
 * its requests.
 */

const FRESHNESS_LABEL: Record<TargetCompliance["status"], string> = {
  fresh: "fresh",
  breached: "breached",
  unprotected: "unprotected",
  "no-objective": "no objective",
};

/** Freshness as a badge and, where there is an objective, the age against it. */
export function freshness(c: TargetCompliance): Markup {
  const against = c.objective
    ? html` <span class="detail">${c.newestBackup ? age(c.newestBackup.ageSeconds) : "no backup"} / ${c.objective}</span>`
    : c.newestBackup
      ? html` <span class="detail">${age(c.newestBackup.ageSeconds)} old</span>`
      : "";
  return html`${badge(c.status, FRESHNESS_LABEL[c.status])}${against}`;
}

export function overview(items: TargetCompliance[], usage: UsageReport | undefined): Markup {
  const count = (s: TargetCompliance["status"]) => items.filter((c) => c.status === s).length;
  const order = ["breached", "unprotected", "no-objective", "fresh"];
  const sorted = [...items].sort(
    (a, b) =>
      order.indexOf(a.status) - order.indexOf(b.status) || a.targetId.localeCompare(b.targetId),
  );
  return html`<ul class="summary" aria-label="Fleet summary">
  <li><strong>${items.length}</strong> targets</li>
  <li>${badge("breached")} <strong>${count("breached")}</strong></li>
  <li>${badge("unprotected")} <strong>${count("unprotected")}</strong></li>
  <li>${badge("fresh")} <strong>${count("fresh")}</strong></li>
  ${usage ? html`<li><strong>${bytes(usage.totalBytes)}</strong> stored in ${usage.backups} backups</li>` : ""}
</ul>
${table(
  "Every target, worst first",
  ["Target", "Vendor", "Freshness", "Last result", "Next run", "Size"],
  sorted.map((c) => [
    html`${linkTo("targets", c.targetId, c.name)}<br><span class="muted">${c.targetId}</span>`,
    html`${c.provider}`,
    freshness(c),
    c.lastResult
      ? html`${badge(c.lastResult.status)} ${when(c.lastResult.at)}`
      : html`<span class="muted">never</span>`,
    when(c.nextRunAt),
    html`${bytes(c.storedBytes)}`,
  ]),
)}
${usage ? storage(usage) : ""}`;
}

/** The storage bill: per vendor now, and the last 30 days as a bar list. */
function storage(usage: UsageReport): Markup {
  const peak = Math.max(1, ...usage.series.map((d) => d.totalBytes));
  return html`<section aria-labelledby="storage"><h2 id="storage">Storage</h2>
${table(
  "Stored now, by vendor",
  ["Vendor", "Stored"],
  Object.entries(usage.byVendor).map(([v, n]) => [html`${v}`, html`${bytes(n)}`]),
)}
<details><summary>The last 30 days</summary>
<ol class="bars">${usage.series.map(
    (d) =>
      html`<li><span class="day">${d.date}</span><meter min="0" max="${peak}" value="${d.totalBytes}" aria-label="${d.date}">${bytes(d.totalBytes)}</meter><span>${bytes(d.totalBytes)}</span></li>`,
  )}</ol>
</details></section>`;
}

/** What happened to a target, newest first: every status change of its backups. */
function timeline(backups: BackupRecord[]): Markup {
  const entries = backups
    .flatMap((b) => b.history.map((h) => ({ ...h, backupId: b.id })))
    .sort((a, b) => b.at.localeCompare(a.at))
    .slice(0, 40);
  if (entries.length === 0) return html`<p class="muted">Nothing has happened yet.</p>`;
  return html`<ol class="timeline">${entries.map(
    (e) =>
      html`<li>${when(e.at)} ${badge(e.status)} ${linkTo("backups", e.backupId)} <span class="detail">${e.cause}</span></li>`,
  )}</ol>`;
}

function durationOf(b: BackupRecord): string {
  if (!b.completedAt) return "—";
  const from = Date.parse(b.startedAt ?? b.createdAt);
  return age(Math.max(0, Math.round((Date.parse(b.completedAt) - from) / 1000)));
}

export function targetPage(
  target: Target,
  c: TargetCompliance | undefined,
  backups: BackupRecord[],
  more: boolean,
): Markup {
  return html`<dl class="facts">
  <dt>Id</dt><dd>${target.id}</dd>
  <dt>Vendor</dt><dd>${target.provider}</dd>
  <dt>Freshness</dt><dd>${c ? freshness(c) : "—"}</dd>
  <dt>Objective</dt><dd>${c?.objective ? `${c.objective} (${c.objectiveFrom})` : "none"}</dd>
  <dt>Newest verified</dt><dd>${c?.newestVerified ? html`${linkTo("backups", c.newestVerified.backupId)} at ${when(c.newestVerified.at)}` : "never drilled"}</dd>
  <dt>Next run</dt><dd>${when(c?.nextRunAt)}</dd>
  <dt>Stored</dt><dd>${bytes(c?.storedBytes)}</dd>
</dl>
<section aria-labelledby="policies"><h2 id="policies">Policies</h2>
${
  c?.policies.length
    ? html`<ul>${c.policies.map((p) => html`<li>${linkTo("policies", p.id)}${p.enabled ? "" : " (disabled)"}</li>`)}</ul>`
    : html`<p>No policy covers this target: nothing backs it up on a schedule.</p>`
}</section>
<section aria-labelledby="backups"><h2 id="backups">Backups</h2>
${table(
  "Backups, newest first",
  ["Backup", "Status", "Created", "Size", "Duration", "Trigger"],
  backups.map((b) => [
    linkTo("backups", b.id),
    html`${badge(b.status)}${b.hold ? html` ${badge("held")}` : ""}`,
    when(b.createdAt),
    html`${bytes(b.sizeBytes)}`,
    html`${durationOf(b)}`,
    html`${b.policyId ? `${b.trigger}: ${b.policyId}` : b.trigger}`,
  ]),
)}
${more ? html`<p class="muted">Only the newest 50 are shown (the API pages the rest: <code>warden backups --target ${target.id} --all</code>).</p>` : ""}
</section>
<section aria-labelledby="timeline"><h2 id="timeline">Timeline</h2>${timeline(backups)}</section>`;
}

export function backupPage(b: BackupRecord, csrf: string | undefined): Markup {
  const id = encodeURIComponent(b.id);
  const live = !["DELETED", "DELETING"].includes(b.status);
  return html`<dl class="facts">
  <dt>Target</dt><dd>${linkTo("targets", b.targetId)}</dd>
  <dt>Status</dt><dd>${badge(b.status)}${b.providerStatus ? html` <span class="detail">vendor: ${b.providerStatus}</span>` : ""}</dd>
  <dt>Created</dt><dd>${when(b.createdAt)}</dd>
  <dt>Completed</dt><dd>${when(b.completedAt)}</dd>
  <dt>Size</dt><dd>${bytes(b.sizeBytes)}</dd>
  <dt>Vendor backup</dt><dd>${b.providerBackupId ?? "—"}</dd>
  <dt>Policy</dt><dd>${b.policyId ? linkTo("policies", b.policyId) : "—"}</dd>
  <dt>Expires</dt><dd>${when(b.expiresAt)}</dd>
  <dt>Verified</dt><dd>${b.verification ? html`${badge(b.verification.result)} ${when(b.verification.at)} <span class="detail">${b.verification.detail}</span>` : "never drilled"}</dd>
  <dt>Legal hold</dt><dd>${b.hold ? html`${badge("held")} “${b.hold.reason}” by ${b.hold.by}, ${when(b.hold.at)}` : "none"}</dd>
  ${b.lastError ? html`<dt>Last error</dt><dd>${b.lastError.class}: ${b.lastError.message}</dd>` : ""}
  ${b.deleteReason ? html`<dt>Deleted because</dt><dd>${b.deleteReason}</dd>` : ""}
</dl>
<section aria-labelledby="actions"><h2 id="actions">Actions</h2>
${
  b.hold
    ? html`<form method="post" action="/backups/${id}/unhold" class="action">${csrfField(csrf)}
  <p>Lifting the hold lets retention apply to this backup again: if it is past its expiry, it is expired at once.</p>
  <button type="submit">Lift the hold</button></form>`
    : live
      ? html`<form method="post" action="/backups/${id}/hold" class="action">${csrfField(csrf)}
  <label for="reason">Reason for a legal hold (a held backup is never deleted)</label>
  <input id="reason" name="reason" required maxlength="500" autocomplete="off">
  <button type="submit">Place a hold</button></form>`
      : ""
}
${live && !b.hold ? html`<p><a class="danger" href="/backups/${id}/delete">Delete this backup…</a></p>` : ""}
${
  b.status === "AVAILABLE"
    ? html`<form method="post" action="/backups/${id}/restore" class="action">${csrfField(csrf)}
  <label for="destination">Restore to (the destination as JSON, e.g. <code>{"clusterName": "orders-restored"}</code>)</label>
  <textarea id="destination" name="destination" rows="3" required></textarea>
  <button type="submit">Preview the restore</button></form>`
    : ""
}
</section>
<section aria-labelledby="history"><h2 id="history">History</h2>
${table(
  "Every status change, oldest first",
  ["When", "Status", "Cause"],
  b.history.map((h) => [when(h.at), badge(h.status), html`${h.cause}`]),
)}</section>`;
}

export function deletePage(b: BackupRecord, csrf: string | undefined): Markup {
  return html`<p>This asks the vendor to delete backup <strong>${b.id}</strong> of ${linkTo("targets", b.targetId)}
(${bytes(b.sizeBytes)}, created ${when(b.createdAt)}). It cannot be undone; a tombstone records who asked.</p>
<form method="post" action="/backups/${encodeURIComponent(b.id)}/delete" class="action">${csrfField(csrf)}
  <label for="confirm">Type the backup id to confirm</label>
  <input id="confirm" name="confirm" required autocomplete="off" spellcheck="false">
  <button type="submit" class="danger">Delete the backup</button>
  <a href="/backups/${encodeURIComponent(b.id)}">Cancel</a>
</form>`;
}

export interface RestorePreviewView {
  restoresInto: "new" | "existing";
  overwrites?: { resourceId: string; summary: string } | undefined;
  confirmationToken?: string | undefined;
}

export function restorePreviewPage(
  b: BackupRecord,
  destination: string,
  preview: RestorePreviewView,
  csrf: string | undefined,
): Markup {
  return html`<p>Backup ${linkTo("backups", b.id)} of ${linkTo("targets", b.targetId)} restores into
${preview.restoresInto === "new" ? "a new resource" : html`<strong>an existing resource, which is overwritten</strong>`}.</p>
${preview.overwrites ? html`<p class="notice error">Overwritten: ${preview.overwrites.resourceId} — ${preview.overwrites.summary}</p>` : ""}
<pre>${destination}</pre>
<form method="post" action="/backups/${encodeURIComponent(b.id)}/restore/confirm" class="action">${csrfField(csrf)}
  <input type="hidden" name="destination" value="${destination}">
  ${preview.confirmationToken ? html`<input type="hidden" name="confirmationToken" value="${preview.confirmationToken}">` : ""}
  <button type="submit"${preview.overwrites ? html` class="danger"` : ""}>Restore</button>
  <a href="/backups/${encodeURIComponent(b.id)}">Cancel</a>
</form>`;
}

export function policiesPage(policies: Policy[]): Markup {
  return table(
    "Policies",
    ["Policy", "Schedule", "Targets", "Retention", "Objective", "Enabled"],
    policies.map((p) => [
      linkTo("policies", p.id, p.name),
      html`${p.schedule.expression}`,
      html`${describeTargets(p.targets)}`,
      html`${retentionSummary(p.retention)}`,
      html`${p.rpo ?? "—"}`,
      html`${p.enabled ? "yes" : "no"}`,
    ]),
  );
}

/** A policy, and what its retention would keep (with why) and remove now, guards applied. */
export function policyPage(p: Policy, plan: z.infer<typeof RetentionPlanOut>): Markup {
  return html`<dl class="facts">
  <dt>Schedule</dt><dd>${p.schedule.expression} (${p.schedule.timeZone})</dd>
  <dt>Retention</dt><dd><code>${JSON.stringify(p.retention)}</code>, at least ${p.keepAtLeast} kept</dd>
  <dt>Objective</dt><dd>${p.rpo ?? "none"}</dd>
  <dt>Enabled</dt><dd>${p.enabled ? "yes" : "no (nothing runs; its objective still holds)"}</dd>
  <dt>Next run</dt><dd>${when(p.nextRunAt)}</dd>
</dl>
<section aria-labelledby="plan"><h2 id="plan">Retention preview</h2>
<p>What retention would do now (${when(plan.at)}), before anything is deleted: removals happen at the next sweep or after the next good backup.</p>
${plan.targets.map(
  (t) => html`<h3>${linkTo("targets", t.targetId)}</h3>
${t.suspended ? html`<p class="notice error">Suspended: ${t.suspended}. Nothing is removed.</p>` : ""}
${table(
  `Kept for ${t.targetId}`,
  ["Backup", "Created", "Why"],
  t.keep.map((k) => [linkTo("backups", k.id), when(k.createdAt), html`${k.reasons.join(", ")}`]),
)}
${table(
  `Removed from ${t.targetId}`,
  ["Backup", "Created"],
  t.remove.map((r) => [linkTo("backups", r.id), when(r.createdAt)]),
)}
${table(
  `Kept by a guard for ${t.targetId}`,
  ["Backup", "Guard", "Detail"],
  t.guarded.map((g) => [linkTo("backups", g.id), html`${g.guard}`, html`${g.detail}`]),
)}`,
)}
${plan.targets.length === 0 ? html`<p class="muted">The policy covers no target.</p>` : ""}
</section>`;
}

export function failuresPage(backups: BackupRecord[], restores: RestoreRecord[]): Markup {
  return html`<p>Failed backups, failed deletions and failed restores of the last 7 days, newest first.</p>
${table(
  "Failed backups and deletions",
  ["When", "Backup", "Target", "Status", "Error"],
  backups.map((b) => [
    when(b.updatedAt),
    linkTo("backups", b.id),
    linkTo("targets", b.targetId),
    badge(b.status),
    html`${b.lastError ? `${b.lastError.class}: ${b.lastError.message}` : "—"}`,
  ]),
)}
${table(
  "Failed restores and drills",
  ["When", "Restore", "Backup", "Target", "Error"],
  restores.map((r) => [
    when(r.updatedAt),
    html`${r.id}${r.drillId ? " (drill)" : ""}`,
    linkTo("backups", r.backupId),
    linkTo("targets", r.targetId),
    html`${r.lastError ? `${r.lastError.class}: ${r.lastError.message}` : "—"}`,
  ]),
)}`;
}

export function loginPage(error?: string): Markup {
  return html`${error ? html`<div class="notice error" role="alert"><p>${error}</p></div>` : ""}
<form method="post" action="/login" class="action">
  <label for="token">API token (the one <code>npm start</code> printed, also in <code>.warden/token</code>)</label>
  <input id="token" name="token" type="password" required autocomplete="current-password">
  <button type="submit">Sign in</button>
</form>
<p class="muted">Or open the one-time link <code>npm start</code> printed.</p>`;
}
