import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { ProviderError } from "../../../lib/core/provider-error.ts";
import type { HuaweiPasswordCredentials } from "../../../lib/providers/huawei/credentials.ts";
import { DcsProvider } from "../../../lib/providers/huawei/dcs.ts";
import { IamTokenCache } from "../../../lib/providers/huawei/iam-token.ts";
import { startDcsSimulator } from "../../../sandbox/huawei/dcs.ts";
import { closeAfterEach } from "../../support/close-after-each.ts";

const HOUR = 60 * 60 * 1000;
const T0 = Date.parse("2026-03-02T09:00:00Z");
const CREDENTIALS: HuaweiPasswordCredentials = {
  authMode: "token",
  domainName: "acme",
  userName: "backup-bot",
  password: "correct horse battery",
};
const closeLater = closeAfterEach();

/** A loopback IAM: issues the given tokens in turn, valid 24 h from the test clock. */
async function startIam(clock: { value: number }, tokens: string[]) {
  const bodies: unknown[] = [];
  const server: Server = createServer(async (request, response) => {
    let text = "";
    for await (const chunk of request) text += chunk;
    const body = JSON.parse(text);
    bodies.push({ url: request.url, body });
    await new Promise((resolve) => setTimeout(resolve, 10)); // lets concurrent callers pile up
    if (body.auth.identity.password.user.password !== CREDENTIALS.password) {
      response.writeHead(401, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          error: {
            code: 401,
            message: "The username or password is wrong.",
            title: "Unauthorized",
          },
        }),
      );
      return;
    }
    const expires = new Date(clock.value + 24 * HOUR).toISOString().replace("Z", "000Z");
    response.writeHead(201, {
      "content-type": "application/json",
      "x-subject-token": tokens.shift() ?? "spare",
    });
    response.end(JSON.stringify({ token: { expires_at: expires, methods: ["password"] } }));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  closeLater({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

describe("IAM token cache", () => {
  it("asks IAM once for a project-scoped token and reuses it until an hour before expiry", async () => {
    const clock = { value: T0 };
    const iam = await startIam(clock, ["tok-1", "tok-2"]);
    const cache = new IamTokenCache({ clock: { now: () => new Date(clock.value) } });
    const request = { credentials: CREDENTIALS, iamUrl: iam.url, projectId: "p1" };

    const first = await Promise.all([cache.get(request), cache.get(request)]);
    clock.value += 23 * HOUR - 1;
    const cached = await cache.get(request);
    clock.value += 1;
    const refreshed = await cache.get(request);

    expect(first).toEqual(["tok-1", "tok-1"]);
    expect(cached).toBe("tok-1");
    expect(refreshed).toBe("tok-2");
    expect(iam.bodies).toHaveLength(2);
    expect(iam.bodies[0]).toEqual({
      url: "/v3/auth/tokens?nocatalog=true",
      body: {
        auth: {
          identity: {
            methods: ["password"],
            password: {
              user: {
                name: "backup-bot",
                password: CREDENTIALS.password,
                domain: { name: "acme" },
              },
            },
          },
          scope: { project: { id: "p1" } },
        },
      },
    });
  });

  it("keeps one token per project and fails AUTH on a wrong password without echoing it", async () => {
    const clock = { value: T0 };
    const iam = await startIam(clock, ["tok-a", "tok-b"]);
    const cache = new IamTokenCache({ clock: { now: () => new Date(clock.value) } });

    const a = await cache.get({ credentials: CREDENTIALS, iamUrl: iam.url, projectId: "pa" });
    const b = await cache.get({ credentials: CREDENTIALS, iamUrl: iam.url, projectId: "pb" });
    const wrong = { ...CREDENTIALS, userName: "other", password: "not-the-password" };
    const error = await cache
      .get({ credentials: wrong, iamUrl: iam.url, projectId: "pa" })
      .catch((e: unknown) => e);

    expect([a, b]).toEqual(["tok-a", "tok-b"]);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).cls).toBe("AUTH");
    expect((error as ProviderError).message).not.toContain("not-the-password");
  });
});

describe("the token cache key", () => {
  it("never hands a cached token to a wrong password or another IAM endpoint", async () => {
    const clock = { value: T0 };
    const iam = await startIam(clock, ["tok-real"]);
    const lookalike = await startIam(clock, ["tok-lookalike"]);
    const cache = new IamTokenCache({ clock: { now: () => new Date(clock.value) } });
    const request = { credentials: CREDENTIALS, iamUrl: iam.url, projectId: "p1" };

    expect(await cache.get(request)).toBe("tok-real");
    const wrong = { ...request, credentials: { ...CREDENTIALS, password: "guessed" } };
    const refused = await cache.get(wrong).catch((e: unknown) => e);
    const elsewhere = await cache.get({ ...request, iamUrl: lookalike.url });

    expect((refused as ProviderError).cls).toBe("AUTH");
    expect(elsewhere).toBe("tok-lookalike");
    expect(iam.bodies).toHaveLength(2); // the wrong password was asked about, not served
  });
});

describe("token mode end to end", () => {
  it("sends X-Auth-Token, and fetches a new token after the service rejects one", async () => {
    const clock = { value: T0 };
    const iam = await startIam(clock, ["revoked-token", "good-token"]);
    const sim = closeLater(
      await startDcsSimulator({ now: () => clock.value, authToken: "good-token" }),
    );
    const instance = sim.instances[0]!.instanceId;
    const provider = new DcsProvider({
      baseUrl: sim.url,
      credentials: CREDENTIALS,
      region: "ap-southeast-1",
      projectId: sim.projectId,
      resource: {
        region: "ap-southeast-1",
        projectId: sim.projectId,
        instanceId: instance,
        apiVersion: "v2",
      },
      clock: { now: () => new Date(clock.value) },
      tokenCache: new IamTokenCache({ clock: { now: () => new Date(clock.value) } }),
      iamUrl: iam.url,
    });

    const rejected = await provider.createBackup({ backupId: "bk_1" }).catch((e: unknown) => e);
    const created = await provider.createBackup({ backupId: "bk_1" });

    expect((rejected as ProviderError).cls).toBe("AUTH");
    expect(created.ref.resourceId).toBe(instance);
    expect(iam.bodies).toHaveLength(2);
  });
});
