import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { resolveConnection } from "../../cli/connection.ts";
import type { CliIo } from "../../cli/io.ts";
import { warden } from "./cli-harness.ts";

function ioWith(env: Record<string, string>, cwd = tmpdir()): CliIo {
  return {
    stdout: { write: () => true },
    stderr: { write: () => true },
    env,
    cwd,
    fetch: globalThis.fetch,
    sleep: async () => {},
  };
}

describe("resolveConnection", () => {
  it("defaults to the local runtime and reads the token npm start wrote under the working folder", () => {
    const cwd = mkdtempSync(join(tmpdir(), "warden-conn-"));
    mkdirSync(join(cwd, ".warden"));
    writeFileSync(join(cwd, ".warden", "token"), "token-from-file-0123456789\n");

    const connection = resolveConnection({}, ioWith({}, cwd));

    expect(connection).toEqual({
      apiUrl: "http://127.0.0.1:8787/v1",
      auth: { kind: "token", token: "token-from-file-0123456789" },
    });
  });

  it("prefers --token over WARDEN_TOKEN, and appends /v1 to a bare origin", () => {
    const connection = resolveConnection(
      { api: "http://localhost:9000/", token: "from-flag" },
      ioWith({ WARDEN_TOKEN: "from-env" }),
    );

    expect(connection).toEqual({
      apiUrl: "http://localhost:9000/v1",
      auth: { kind: "token", token: "from-flag" },
    });
  });

  it("signs with SigV4 for an execute-api URL, in the region the URL names", () => {
    const connection = resolveConnection(
      { api: "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com" },
      ioWith({ AWS_REGION: "us-east-1", WARDEN_TOKEN: "ignored" }),
    );

    expect(connection).toEqual({
      apiUrl: "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/v1",
      auth: { kind: "sigv4", region: "eu-west-1" },
    });
  });

  it("takes AWS_REGION for a custom domain, and refuses to guess without one", () => {
    const custom = { api: "https://backups.example.com/v1" };

    expect(resolveConnection(custom, ioWith({ AWS_REGION: "ap-southeast-1" })).auth).toEqual({
      kind: "sigv4",
      region: "ap-southeast-1",
    });
    expect(() => resolveConnection(custom, ioWith({}))).toThrow(/cannot tell the AWS region/);
  });
});

describe("SigV4 requests", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("signs with the standard credential chain and never sends the bearer token to AWS", async () => {
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    vi.stubEnv("AWS_SESSION_TOKEN", "session-token-example");
    vi.stubEnv("AWS_PROFILE", "");
    const sent: Array<{ url: string; headers: Record<string, string> }> = [];
    const fakeFetch = (async (url: URL, init: RequestInit) => {
      sent.push({ url: String(url), headers: init.headers as Record<string, string> });
      return Response.json({ items: [] });
    }) as unknown as typeof fetch;

    const run = await warden(
      ["targets", "--json", "--api", "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com"],
      { env: { WARDEN_TOKEN: "local-token-never-sent" }, fetch: fakeFetch },
    );

    expect(run.code).toBe(0);
    expect(sent).toHaveLength(1);
    const [{ url, headers }] = sent as [(typeof sent)[number]];
    expect(url).toBe("https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/v1/targets?limit=100");
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/,
    );
    expect(headers["x-amz-date"]).toMatch(/^\d{8}T\d{6}Z$/);
    expect(headers["x-amz-security-token"]).toBe("session-token-example");
    expect(JSON.stringify(headers)).not.toContain("local-token-never-sent");
    expect(run.stdout + run.stderr).not.toMatch(/wJalrXUtnFEMI|AKIDEXAMPLE|session-token-example/);
  });
});
