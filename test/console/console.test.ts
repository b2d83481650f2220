import { describe, expect, it } from "vitest";
import { useLocalStack } from "../support/use-local-stack.ts";

/*
 * The console over plain HTTP against the local runtime: what a script (bearer) and a
 * signed-in person (cookie + CSRF token) can do, the restore's preview-then-confirm, and
 * that what the vendor or an operator named is shown as text, never as markup.
 */
describe("the console over HTTP", () => {
  const stack = useLocalStack();

  const bearer = () => ({ authorization: `Bearer ${stack.runtime.token}` });
  const consoleGet = (path: string, headers: Record<string, string> = bearer()) =>
    fetch(`${stack.runtime.url}${path}`, { headers, redirect: "manual" });

  /** A signed-in session: its cookie, and the CSRF token its pages carry. */
  async function signIn(): Promise<{ cookie: string; csrf: string }> {
    const link = stack.runtime.consoleLink();
    const signedIn = await fetch(link, { redirect: "manual" });
    expect(signedIn.status).toBe(303);
    const cookie = (signedIn.headers.get("set-cookie") ?? "").split(";")[0]!;
    const home = await (await consoleGet("/", { cookie })).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(home)?.[1];
    expect(csrf).toBeDefined();
    return { cookie, csrf: csrf! };
  }
  const post = (path: string, session: { cookie: string }, form: Record<string, string>) =>
    fetch(`${stack.runtime.url}${path}`, {
      method: "POST",
      headers: { cookie: session.cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form),
      redirect: "manual",
    });

  async function availableBackup(targetId: string): Promise<string> {
    const created = await stack.request("POST", `/v1/targets/${targetId}/backups`);
    const id = created.json.id as string;
    for (let i = 0; i < 200; i++) {
      if ((await stack.request("GET", `/v1/backups/${id}`)).json.status === "AVAILABLE") return id;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`backup ${id} never became AVAILABLE`);
  }

  it("serves scripts with the bearer token, and sends everyone else to sign in", async () => {
    const page = await consoleGet("/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("cache-control")).toBe("no-store");
    expect(await page.text()).toContain("demo-zilliz");
    const anonymous = await consoleGet("/", {});
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toBe("/login");
    const wrong = await consoleGet("/", { authorization: "Bearer not-the-token-at-all" });
    expect(wrong.status).toBe(303);
    // The API itself still answers only the API's way.
    expect((await consoleGet("/v1/targets", {})).status).toBe(401);
  });

  it("shows a name full of markup as text", async () => {
    const target = (await stack.request("GET", "/v1/targets/demo-zilliz")).json;
    const { id, createdAt, updatedAt, version, ...spec } = target;
    const hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>';
    const put = await stack.request("PUT", "/v1/targets/demo-zilliz", {
      body: JSON.stringify({ ...spec, name: hostile }),
      headers: { "if-match": `"${version}"` },
    });
    expect(put.status, put.text).toBe(200);
    const html = await (await consoleGet("/targets/demo-zilliz")).text();
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
  });

  it("answers an unknown page and an unknown backup with 404, and an API refusal with its status", async () => {
    expect((await consoleGet("/nowhere")).status).toBe(404);
    const missing = await consoleGet("/backups/bk_missing");
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain("bk_missing");
  });

  it("restores in two steps: a preview, then the restore the person confirms", async () => {
    const session = await signIn();
    const backupId = await availableBackup("demo-pinecone");
    const destination = JSON.stringify({ indexName: "console-copy" });

    const bad = await post(`/backups/${backupId}/restore`, session, {
      _csrf: session.csrf,
      destination: "{not json",
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("must be a JSON object");

    const preview = await post(`/backups/${backupId}/restore`, session, {
      _csrf: session.csrf,
      destination,
    });
    expect(preview.status).toBe(200);
    const previewHtml = await preview.text();
    expect(previewHtml).toContain("restores into\na new resource");
    // Nothing was restored by the preview.
    expect((await stack.request("GET", `/v1/restores?backupId=${backupId}`)).json.items).toEqual(
      [],
    );

    const confirmed = await post(`/backups/${backupId}/restore/confirm`, session, {
      _csrf: session.csrf,
      destination,
    });
    expect(confirmed.status).toBe(200);
    const restores = (await stack.request("GET", `/v1/restores?backupId=${backupId}`)).json.items;
    expect(restores).toHaveLength(1);
    expect(await confirmed.text()).toContain(`Restore ${restores[0].id} is under way`);
  });

  it("deletes a backup only when its id is typed to confirm", async () => {
    const session = await signIn();
    const backupId = await availableBackup("demo-huawei-taurusdb");
    const wrong = await post(`/backups/${backupId}/delete`, session, {
      _csrf: session.csrf,
      confirm: "yes",
    });
    expect(wrong.status).toBe(422);
    expect((await stack.request("GET", `/v1/backups/${backupId}`)).json.status).toBe("AVAILABLE");
    const done = await post(`/backups/${backupId}/delete`, session, {
      _csrf: session.csrf,
      confirm: backupId,
    });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe(`/backups/${backupId}?done=deleting`);
    expect(["EXPIRING", "DELETING", "DELETED"]).toContain(
      (await stack.request("GET", `/v1/backups/${backupId}`)).json.status,
    );
  });

  it("signs out: the session's cookie no longer opens anything", async () => {
    const session = await signIn();
    const out = await post("/logout", session, { _csrf: session.csrf });
    expect(out.status).toBe(303);
    expect((await consoleGet("/", { cookie: session.cookie })).status).toBe(303);
  });
});
