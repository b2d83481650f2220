import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import type { CliIo } from "../../cli/io.ts";
import { main } from "../../cli/main.ts";
import { useCliStack, warden } from "./cli-harness.ts";

describe("warden console", () => {
  const { env } = useCliStack();

  it("serves the console for an API on loopback, with a one-time link, until Ctrl-C", async () => {
    let out = "";
    const interrupt = new AbortController();
    const io: CliIo = {
      stdout: { write: (text: string) => (out += text) },
      stderr: { write: () => true },
      env,
      cwd: tmpdir(),
      fetch: globalThis.fetch,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      trapInterrupt: () => ({ signal: interrupt.signal, release: () => {} }),
    };
    const running = main(["console", "--port", "0"], io);
    for (let i = 0; i < 100 && !out.includes("console  "); i++)
      await new Promise((r) => setTimeout(r, 50));
    const link = /console {2}(\S+)/.exec(out)?.[1];
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/login\/once\?code=/);
    expect(out).toContain(`for ${env.WARDEN_API}`);

    const signedIn = await fetch(link!, { redirect: "manual" });
    expect(signedIn.status).toBe(303);
    const cookie = (signedIn.headers.get("set-cookie") ?? "").split(";")[0]!;
    const fleet = await fetch(new URL("/", link), { headers: { cookie } });
    expect(fleet.status).toBe(200);
    expect(await fleet.text()).toContain("demo-zilliz");
    // Its own token, not the API's: the API token opens nothing here.
    const apiToken = await fetch(new URL("/", link), {
      headers: { authorization: `Bearer ${env.WARDEN_TOKEN}` },
      redirect: "manual",
    });
    expect(apiToken.status).toBe(303);

    interrupt.abort();
    expect(await running).toBe(0);
    await expect(fetch(new URL("/", link))).rejects.toThrow();
  });

  it("listens on loopback only, and says why", async () => {
    const run = await warden(["console", "--host", "0.0.0.0"], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("not a loopback address");
  });

  it("stops at once when the API does not answer", async () => {
    const run = await warden(["console", "--api", "http://127.0.0.1:9/v1", "--port", "0"], { env });
    expect(run.code).toBe(4);
    expect(run.stderr).toContain("cannot reach the API");
  });
});
