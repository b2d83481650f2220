import { readFileSync } from "node:fs";
import { getRequestListener } from "@hono/node-server";
import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { html } from "hono/html";
import { secureHeaders } from "hono/secure-headers";
import * as z from "zod";
import { CliError } from "../cli/errors.ts";
import { RetentionPlanOut } from "../lib/api/schemas.ts";
import { BackupRecord } from "../lib/core/backup.ts";
import { TargetCompliance, UsageReport } from "../lib/core/compliance.ts";
import { Policy } from "../lib/core/policy.ts";
import { RestoreOverwrite, RestoreRecord } from "../lib/core/restore.ts";
import { Target } from "../lib/core/target.ts";
import { ConsoleAuth, SESSION_COOKIE, sameSecret } from "./auth.ts";
import { type Markup, type PageSpec, page } from "./html.ts";
import {
  backupPage,
  deletePage,
  failuresPage,
  loginPage,
  overview,
  policiesPage,
  policyPage,
  restorePreviewPage,
  targetPage,
} from "./pages.ts";

/** What the console asks the API: the CLI's client (bearer locally, SigV4 on AWS). */
export interface ConsoleApi {
  call(
    method: string,
    path: string,
    options?: { query?: Record<string, string | number | undefined>; body?: unknown },
  ): Promise<{ status: number; body: unknown }>;
}

export interface ConsoleOptions {
  api: ConsoleApi;
  /** What the login form and `Authorization: Bearer` must present. */
  token: string;
  /** Told about failures the page shows as "the API failed" (never a secret in them). */
  log?: (message: string, fields: Record<string, unknown>) => void;
  now?: () => number;
}

const CSS = readFileSync(new URL("./console.css", import.meta.url), "utf8");

/** The days the failures page looks back. */
const FAILURE_DAYS = 7;

const Page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().optional() });

const Preview = z.object({
  restoresInto: z.enum(["new", "existing"]),
  overwrites: RestoreOverwrite.optional(),
  confirmationToken: z.string().optional(),
});

/** A refusal of the API, shown on the page with its status (4xx) or as 502 (it failed). */
class Refused extends Error {
  readonly status: number;
  readonly lines: string[];
  constructor(status: number, message: string, lines: string[] = []) {
    super(message);
    this.status = status;
    this.lines = lines;
  }
}

type Env = { Variables: { csrf: string | undefined } };

/**
 * The operator console: server-rendered pages over the API (the same data and rules:
 * every read and write is an API call), behind the API's token — a sign-in form and
 * one-time links for people (an HttpOnly, SameSite=Strict session cookie), or
 * `Authorization: Bearer` for scripts. Every write is a POST that carries the session's
 * CSRF token; answers carry a Content-Security-Policy that allows no script and no
 * foreign origin at all. Hono routes it; `listener` serves it from node's http server.
 */
export function createConsole(options: ConsoleOptions) {
  const auth = new ConsoleAuth(options.token, options.now);
  const app = new Hono<Env>();

  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
      // Not no-referrer: with it, browsers send `Origin: null` on same-origin POSTs.
      referrerPolicy: "same-origin",
      crossOriginResourcePolicy: "same-origin",
    }),
  );
  app.use(async (c, next) => {
    await next();
    c.header("cache-control", "no-store");
  });

  app.get("/console.css", (c) => {
    c.header("content-type", "text/css; charset=utf-8");
    return c.body(CSS);
  });
  app.get("/login", (c) => render(c, { title: "Sign in", body: loginPage() }));
  app.post("/login", async (c) => {
    if (!sameOrigin(c)) return forbidden(c, "the request did not come from this console");
    const form = await c.req.parseBody();
    const session = auth.signIn(typeof form.token === "string" ? form.token : undefined);
    if (!session)
      return render(c, { title: "Sign in", body: loginPage("That is not the token.") }, 401);
    return signedIn(c, session);
  });
  app.get("/login/once", (c) => {
    const session = auth.redeem(c.req.query("code"));
    if (!session)
      return render(
        c,
        {
          title: "Sign in",
          body: loginPage("That link was used already or has expired: sign in with the token."),
        },
        401,
      );
    return signedIn(c, session);
  });

  // Everything else needs a session (or the bearer token); every write its CSRF token.
  app.use(async (c, next) => {
    if (auth.bearer(c.req.header("authorization"))) {
      c.set("csrf", undefined);
      return next();
    }
    const session = auth.session(getCookie(c, SESSION_COOKIE));
    if (!session) {
      if (c.req.method === "GET") return c.redirect("/login", 303);
      return forbidden(c, "sign in first");
    }
    if (c.req.method === "POST") {
      const form = await c.req.parseBody();
      if (
        !sameOrigin(c) ||
        !sameSecret(typeof form._csrf === "string" ? form._csrf : undefined, session.csrf)
      )
        return forbidden(
          c,
          "this form is not from this console session (its CSRF token is missing or wrong): reload the page and try again",
        );
    }
    c.set("csrf", session.csrf);
    return next();
  });

  app.post("/logout", (c) => {
    auth.signOut(getCookie(c, SESSION_COOKIE));
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.redirect("/login", 303);
  });

  app.get("/", async (c) => {
    const [items, usage] = await Promise.all([
      all(TargetCompliance, "/compliance"),
      get(UsageReport, "/usage"),
    ]);
    return render(c, { title: "Fleet", nav: "overview", body: overview(items, usage) });
  });

  app.get("/targets/:id", async (c) => {
    const id = c.req.param("id");
    const [target, compliance, backups] = await Promise.all([
      get(Target, `/targets/${encodeURIComponent(id)}`),
      all(TargetCompliance, "/compliance"),
      get(Page(BackupRecord), "/backups", { targetId: id, limit: 50 }),
    ]);
    return render(c, {
      title: target.name,
      nav: "overview",
      body: targetPage(
        target,
        compliance.find((t) => t.targetId === id),
        backups.items,
        backups.nextCursor !== undefined,
      ),
    });
  });

  const backupOf = (c: Context<Env>) =>
    get(BackupRecord, `/backups/${encodeURIComponent(c.req.param("id") ?? "")}`);
  const DONE: Record<string, string> = {
    held: "The hold is placed: nothing deletes this backup while it stands.",
    unheld: "The hold is lifted: retention applies to this backup again.",
    deleting:
      "The deletion is requested: the vendor deletes the backup, and the record becomes a tombstone.",
  };
  app.get("/backups/:id", async (c) => {
    const b = await backupOf(c);
    const done = DONE[c.req.query("done") ?? ""];
    return render(c, {
      title: `Backup ${b.id}`,
      nav: "overview",
      body: backupPage(b, c.get("csrf")),
      ...(done ? { notice: { kind: "ok" as const, text: done } } : {}),
    });
  });
  /** Runs a write; a refusal re-renders the backup's page with why, and its status. */
  const act = async (c: Context<Env>, write: () => Promise<unknown>, done: string) => {
    try {
      await write();
    } catch (error) {
      if (!(error instanceof Refused) || error.status >= 500) throw error;
      const b = await backupOf(c);
      return render(
        c,
        {
          title: `Backup ${b.id}`,
          nav: "overview",
          body: backupPage(b, c.get("csrf")),
          notice: { kind: "error", text: error.message, lines: error.lines },
        },
        error.status,
      );
    }
    return c.redirect(`/backups/${encodeURIComponent(c.req.param("id") ?? "")}?done=${done}`, 303);
  };
  const formOf = async (c: Context<Env>) => {
    const form = await c.req.parseBody();
    return (name: string) => (typeof form[name] === "string" ? (form[name] as string) : "");
  };
  app.post("/backups/:id/hold", async (c) => {
    const field = await formOf(c);
    return act(
      c,
      () =>
        call("PUT", `/backups/${encodeURIComponent(c.req.param("id"))}/hold`, {
          reason: field("reason"),
        }),
      "held",
    );
  });
  app.post("/backups/:id/unhold", (c) =>
    act(
      c,
      () => call("DELETE", `/backups/${encodeURIComponent(c.req.param("id"))}/hold`),
      "unheld",
    ),
  );
  app.get("/backups/:id/delete", async (c) => {
    const b = await backupOf(c);
    return render(c, {
      title: `Delete backup ${b.id}?`,
      nav: "overview",
      body: deletePage(b, c.get("csrf")),
    });
  });
  app.post("/backups/:id/delete", async (c) => {
    const field = await formOf(c);
    const id = c.req.param("id");
    if (field("confirm") !== id) {
      const b = await backupOf(c);
      return render(
        c,
        {
          title: `Delete backup ${b.id}?`,
          nav: "overview",
          body: deletePage(b, c.get("csrf")),
          notice: {
            kind: "error",
            text: "The id typed is not this backup's: nothing was deleted.",
          },
        },
        422,
      );
    }
    return act(c, () => call("DELETE", `/backups/${encodeURIComponent(id)}`), "deleting");
  });
  const destinationOf = (text: string): Record<string, unknown> => {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
        return parsed as Record<string, unknown>;
    } catch {}
    throw new Refused(
      400,
      'The destination must be a JSON object, such as {"clusterName": "orders-restored"}.',
    );
  };
  app.post("/backups/:id/restore", async (c) => {
    const field = await formOf(c);
    const id = c.req.param("id");
    let preview: z.infer<typeof Preview> | undefined;
    const refused = await act(
      c,
      async () => {
        const body = await call(
          "POST",
          `/backups/${encodeURIComponent(id)}/restores`,
          {
            destination: destinationOf(field("destination")),
          },
          { dryRun: "true" },
        );
        preview = Preview.parse(body);
      },
      "",
    );
    if (!preview) return refused;
    const b = await backupOf(c);
    return render(c, {
      title: `Restore backup ${b.id}?`,
      nav: "overview",
      body: restorePreviewPage(b, field("destination"), preview, c.get("csrf")),
    });
  });
  app.post("/backups/:id/restore/confirm", async (c) => {
    const field = await formOf(c);
    const id = c.req.param("id");
    let restoreId: string | undefined;
    const refused = await act(
      c,
      async () => {
        const token = field("confirmationToken");
        const body = await call("POST", `/backups/${encodeURIComponent(id)}/restores`, {
          destination: destinationOf(field("destination")),
          ...(token ? { confirmationToken: token } : {}),
        });
        restoreId = RestoreRecord.parse(body).id;
      },
      "",
    );
    if (!restoreId) return refused;
    const b = await backupOf(c);
    return render(c, {
      title: `Backup ${b.id}`,
      nav: "overview",
      body: backupPage(b, c.get("csrf")),
      notice: {
        kind: "ok",
        text: `Restore ${restoreId} is under way: warden restore wait ${restoreId} follows it.`,
      },
    });
  });

  app.get("/policies", async (c) =>
    render(c, {
      title: "Policies",
      nav: "policies",
      body: policiesPage(await all(Policy, "/policies")),
    }),
  );
  app.get("/policies/:id", async (c) => {
    const id = encodeURIComponent(c.req.param("id"));
    const [policy, plan] = await Promise.all([
      get(Policy, `/policies/${id}`),
      get(RetentionPlanOut, `/policies/${id}/retention-plan`),
    ]);
    return render(c, {
      title: policy.name,
      nav: "policies",
      body: policyPage(policy, plan),
    });
  });

  app.get("/failures", async (c) => {
    const since = new Date((options.now ?? Date.now)() - FAILURE_DAYS * 86_400_000).toISOString();
    const [failed, deleteFailed, restores] = await Promise.all([
      all(BackupRecord, "/backups", { status: "FAILED", createdAfter: since }),
      all(BackupRecord, "/backups", { status: "DELETE_FAILED" }),
      all(RestoreRecord, "/restores", { status: "RESTORE_FAILED" }),
    ]);
    const backups = [...failed, ...deleteFailed.filter((b) => b.updatedAt >= since)].sort((a, b) =>
      b.updatedAt.localeCompare(a.updatedAt),
    );
    return render(c, {
      title: "Failures of the last 7 days",
      nav: "failures",
      body: failuresPage(
        backups,
        restores.filter((r) => r.updatedAt >= since),
      ),
    });
  });

  app.notFound((c) => render(c, { title: "Not found", body: html404() }, 404));
  app.onError((error, c) => {
    if (error instanceof Refused && error.status < 500)
      return render(
        c,
        {
          title: error.status === 404 ? "Not found" : "Refused",
          body: html404(),
          notice: { kind: "error", text: error.message, lines: error.lines },
        },
        error.status,
      );
    options.log?.("console: the API failed", {
      path: c.req.path,
      errorName: error.name,
      errorMessage: error.message,
    });
    return render(
      c,
      {
        title: "The API failed",
        body: html404(),
        notice: {
          kind: "error",
          text:
            error instanceof Refused
              ? error.message
              : "The API could not answer: try again; the runtime's log says why.",
        },
      },
      502,
    );
  });

  function render(c: Context<Env>, spec: PageSpec, status = 200) {
    const csrf = c.get("csrf");
    return c.html(page({ ...spec, ...(csrf ? { csrf } : {}) }), status as 200);
  }
  function forbidden(c: Context<Env>, why: string) {
    return render(
      c,
      { title: "Refused", body: html404(), notice: { kind: "error", text: `Refused: ${why}.` } },
      403,
    );
  }
  function signedIn(c: Context<Env>, session: string) {
    setCookie(c, SESSION_COOKIE, session, {
      httpOnly: true,
      sameSite: "Strict",
      path: "/",
      secure: new URL(c.req.url).protocol === "https:",
    });
    return c.redirect("/", 303);
  }
  /** A form posted from another origin is refused whatever it carries (a cross-site POST). */
  function sameOrigin(c: Context<Env>): boolean {
    const origin = c.req.header("origin");
    return origin === undefined || origin === new URL(c.req.url).origin;
  }

  async function call(
    method: string,
    path: string,
    body?: unknown,
    query?: Record<string, string | number | undefined>,
  ): Promise<unknown> {
    try {
      return (
        await options.api.call(method, path, {
          ...(body === undefined ? {} : { body }),
          ...(query ? { query } : {}),
        })
      ).body;
    } catch (error) {
      if (error instanceof CliError) {
        const status = error.httpStatus;
        throw new Refused(
          status !== undefined && status < 500 ? status : 502,
          error.message,
          error.lines,
        );
      }
      throw error;
    }
  }
  async function get<T extends z.ZodType>(
    schema: T,
    path: string,
    query?: Record<string, string | number | undefined>,
  ): Promise<z.infer<T>> {
    return schema.parse(await call("GET", path, undefined, query));
  }
  async function all<T extends z.ZodType>(
    schema: T,
    path: string,
    query: Record<string, string | number | undefined> = {},
  ): Promise<z.infer<T>[]> {
    const items: z.infer<T>[] = [];
    let cursor: string | undefined;
    do {
      const page = await get(Page(schema), path, { ...query, limit: 100, cursor });
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }

  return {
    app,
    /** A node `http` request listener serving the console. */
    listener: getRequestListener(app.fetch),
    /** A one-time sign-in path (`/login/once?code=…`), valid for 15 minutes, once. */
    loginPath: () => `/login/once?code=${auth.issueLink()}`,
  };
}

/** The body of a page that only says what went wrong (its notice) and the way back. */
function html404(): Markup {
  return html`<p><a href="/">Back to the fleet</a></p>`;
}
