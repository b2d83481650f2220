import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useLocalStack } from "../support/use-local-stack.ts";
import { launchChromium } from "./chromium.ts";

/*
 * The operator console in a real Chromium (Playwright), served by the local runtime as
 * `npm start` serves it: sign in with the one-time link, walk the fleet overview, open a
 * target and a backup, place and lift a hold, preview a policy's retention, see a breach
 * and its Slack message, and have a write without the CSRF token refused. Every main page
 * is checked with axe-core (WCAG 2 A/AA rules) at 1280 px and on a phone's width.
 * WARDEN_SCREENSHOTS=1 writes the screenshots of docs/console/.
 */
const SCREENSHOTS = process.env.WARDEN_SCREENSHOTS === "1";
const SHOTS_DIR = join(import.meta.dirname, "../../docs/console");
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

describe("the console in a browser", () => {
  const stack = useLocalStack({ WARDEN_SWEEP_SECONDS: "0.5", WARDEN_TICK_SECONDS: "0.2" });
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium();
    // axe is injected as a script, which the console's CSP (rightly) refuses: only the
    // checking bypasses it; the CSP itself is checked on every answer below.
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    // Fail with Playwright's own message (what it waited for) well before the test's timeout.
    context.setDefaultTimeout(8_000);
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
  });

  const api = (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    stack.request(method, path, {
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      headers,
    });

  /** axe-core's WCAG 2 A/AA violations of the page as it is, serious or worse. */
  async function accessibilityViolations(): Promise<string[]> {
    await page.addScriptTag({ content: AXE });
    const result = (await page.evaluate(() =>
      (globalThis as unknown as { axe: { run: (o: unknown) => Promise<unknown> } }).axe.run({
        runOnly: { type: "tag", values: ["wcag2a", "wcag2aa"] },
      }),
    )) as { violations: Array<{ id: string; impact: string; nodes: unknown[] }> };
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.nodes.length})`);
  }

  /** The text of the first element matching `selector`. */
  const text = (selector: string) => page.locator(selector).first().innerText();

  /** Waits for the page an action leads to (a link, a form's POST and its redirect). */
  async function navigating(action: Promise<unknown>, on: Page = page) {
    await Promise.all([on.waitForEvent("load"), action]);
  }

  async function shot(name: string) {
    if (!SCREENSHOTS) return;
    mkdirSync(SHOTS_DIR, { recursive: true });
    await page.screenshot({ path: join(SHOTS_DIR, `${name}.png`), fullPage: true });
  }

  async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string) {
    const until = Date.now() + 20_000;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it("signs in with the one-time link and lists the four demo targets with their freshness", async () => {
    const link = stack.runtime.consoleLink();
    const response = await page.goto(link);
    expect(new URL(page.url()).pathname).toBe("/");
    const headers = response!.headers();
    expect(headers["content-security-policy"]).toContain("default-src 'none'");
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    // The one-time link's code never leaves in a Referer (to another origin).
    expect(headers["referrer-policy"]).toBe("same-origin");
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === "warden_console")).toMatchObject({
      httpOnly: true,
      sameSite: "Strict",
    });

    expect(await text("h1")).toBe("Fleet");
    for (const id of ["demo-zilliz", "demo-pinecone", "demo-huawei-taurusdb", "demo-huawei-dcs"]) {
      const row = page.locator("tbody tr", { hasText: id });
      expect(await row.count()).toBe(1);
      expect(await row.locator(".badge").first().innerText()).toBe("unprotected");
    }
    expect(await accessibilityViolations()).toEqual([]);

    // The link was for one sign-in only.
    const again = await context.newPage();
    const reused = await again.goto(link);
    expect(reused!.status()).toBe(401);
    await again.close();
  });

  it("opens a target and a backup, and places and lifts a hold", async () => {
    const created = await api("POST", "/v1/targets/demo-zilliz/backups");
    expect(created.status, created.text).toBe(202);
    const backupId = created.json.id as string;
    await waitFor(
      async () => (await api("GET", `/v1/backups/${backupId}`)).json.status,
      (s) => s === "AVAILABLE",
      "the backup to be AVAILABLE",
    );

    await page.goto(`${stack.runtime.url}/`);
    await navigating(
      page.locator("tbody tr", { hasText: "demo-zilliz" }).getByRole("link").first().click(),
    );
    expect(new URL(page.url()).pathname).toBe("/targets/demo-zilliz");
    expect(await page.getByRole("table", { name: "Backups, newest first" }).innerText()).toContain(
      backupId,
    );
    expect(await text(".timeline")).toContain("AVAILABLE");
    expect(await accessibilityViolations()).toEqual([]);
    await shot("target");

    await navigating(page.getByRole("link", { name: backupId }).first().click());
    expect(await text("h1")).toBe(`Backup ${backupId}`);
    await page.getByLabel(/Reason for a legal hold/).fill("audit <2026> & friends");
    await navigating(page.getByRole("button", { name: "Place a hold" }).click());
    expect(await text('[role="status"]')).toContain("The hold is placed");
    // The reason is shown as text, escaped, not as markup.
    expect(await text(".facts")).toContain("“audit <2026> & friends”");
    expect((await api("GET", `/v1/backups/${backupId}`)).json.hold).toMatchObject({
      reason: "audit <2026> & friends",
    });
    expect(await accessibilityViolations()).toEqual([]);
    await shot("backup");

    await navigating(page.getByRole("button", { name: "Lift the hold" }).click());
    expect(await text('[role="status"]')).toContain("The hold is lifted");
    expect((await api("GET", `/v1/backups/${backupId}`)).json.hold).toBeUndefined();
  });

  it("refuses a write without the session's CSRF token, or from another origin, and changes nothing", async () => {
    const { items } = (await api("GET", "/v1/backups?targetId=demo-zilliz")).json;
    const backupId = items[0].id as string;
    const url = `${stack.runtime.url}/backups/${backupId}/hold`;
    // The browser's own session cookie goes along; only the token is missing or wrong.
    const without = await page.request.post(url, { form: { reason: "forged" } });
    expect(without.status()).toBe(403);
    expect(await without.text()).toContain("CSRF token");
    const wrong = await page.request.post(url, { form: { reason: "forged", _csrf: "guess" } });
    expect(wrong.status()).toBe(403);
    // The right token from another site's page is refused too (Origin).
    await page.goto(`${stack.runtime.url}/backups/${backupId}`);
    const csrf = await page.locator('input[name="_csrf"]').first().getAttribute("value");
    const foreign = await page.request.post(url, {
      form: { reason: "forged", _csrf: csrf! },
      headers: { origin: "https://evil.example" },
    });
    expect(foreign.status()).toBe(403);
    expect((await api("GET", `/v1/backups/${backupId}`)).json.hold).toBeUndefined();
  });

  it("previews a policy's retention: what it keeps, with why, before anything is deleted", async () => {
    const policy = await api("POST", "/v1/policies", {
      id: "console-demo",
      name: "Console demo: keep the last 1",
      schedule: { expression: "rate(1 day)" },
      targets: { ids: ["demo-zilliz"] },
      retention: { last: 1 },
      rpo: "26h",
    });
    expect(policy.status, policy.text).toBe(201);
    // A backup the policy governs (its retention keeps it: the newest, `last 1`).
    const governed = await api("POST", "/v1/targets/demo-zilliz/backups", {
      policyId: "console-demo",
    });
    expect(governed.status, governed.text).toBe(202);
    await waitFor(
      async () => (await api("GET", `/v1/backups/${governed.json.id}`)).json.status,
      (s) => s === "AVAILABLE",
      "the policy's backup to be AVAILABLE",
    );
    await page.goto(`${stack.runtime.url}/policies`);
    await navigating(page.getByRole("link", { name: "Console demo: keep the last 1" }).click());
    expect(await page.getByRole("heading", { name: "Retention preview" }).isVisible()).toBe(true);
    const kept = await page.getByRole("table", { name: "Kept for demo-zilliz" }).innerText();
    expect(kept).toContain(governed.json.id);
    expect(kept).toContain("last");
    expect(await accessibilityViolations()).toEqual([]);
    await shot("retention");
  });

  it("shows a breach and its Slack message, and lists the fleet on a phone", async () => {
    // An objective no policy serves: breached at once, announced by the next sweep.
    const target = (await api("GET", "/v1/targets/demo-pinecone")).json;
    const { id, createdAt, updatedAt, version, ...spec } = target;
    const put = await api(
      "PUT",
      "/v1/targets/demo-pinecone",
      { ...spec, rpo: "1h" },
      {
        "if-match": `"${version}"`,
      },
    );
    expect(put.status, put.text).toBe(200);
    const messages = await waitFor(
      async () =>
        (await (
          await fetch(`${stack.runtime.slackSink}/sandbox/slack/messages`, {
            headers: { authorization: `Bearer ${stack.runtime.token}` },
          })
        ).json()) as { messages: Array<{ summary: string }> },
      (m) => m.messages.some((x) => x.summary.includes("freshness objective breached")),
      "the breach on Slack",
    );
    expect(
      messages.messages.filter(
        (m) =>
          m.summary.includes("freshness objective breached") && m.summary.includes(target.name),
      ),
    ).toHaveLength(1);
    await page.goto(`${stack.runtime.url}/`);
    const row = page.locator("tbody tr", { hasText: "demo-pinecone" });
    expect(await row.locator(".badge").first().innerText()).toBe("breached");
    expect(await row.innerText()).toContain("no backup / 1h");
    await shot("fleet");

    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    expect(await page.locator("tbody tr", { hasText: "demo-pinecone" }).isVisible()).toBe(true);
    expect(await accessibilityViolations()).toEqual([]);
    await shot("fleet-phone");
    await page.setViewportSize({ width: 1280, height: 900 });

    await navigating(page.getByRole("link", { name: "Failures" }).click());
    expect(await text("h1")).toBe("Failures of the last 7 days");
    expect(await accessibilityViolations()).toEqual([]);
  });

  it("sends people without a session to sign in, and signs in with the token", async () => {
    const fresh = await browser.newContext();
    const p = await fresh.newPage();
    await p.goto(`${stack.runtime.url}/targets/demo-zilliz`);
    expect(new URL(p.url()).pathname).toBe("/login");
    await p.getByLabel(/API token/).fill("not the token at all");
    await navigating(p.getByRole("button", { name: "Sign in" }).click(), p);
    expect(await p.locator('[role="alert"]').innerText()).toContain("not the token");
    await p.getByLabel(/API token/).fill(stack.runtime.token);
    await navigating(p.getByRole("button", { name: "Sign in" }).click(), p);
    expect(await p.locator("h1").innerText()).toBe("Fleet");
    await fresh.close();
  });
});
