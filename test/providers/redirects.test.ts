import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProviderError } from "../../lib/core/provider-error.ts";
import { SlackSendError, SlackSender } from "../../lib/notify/slack/sender.ts";
import { IamTokenCache } from "../../lib/providers/huawei/iam-token.ts";
import { rejectionOf } from "../support/rejections.ts";
import { registryAdapter } from "./conformance-support.ts";

/*
 * Credentials travel only to the host they belong to: a vendor, IAM or Slack answering
 * with a redirect is refused, and the redirect's target never sees a request — not the
 * Api-Key header, not the IAM password body, not the Slack message.
 */

let elsewhere: Server;
let redirector: Server;
const seenElsewhere: string[] = [];
const url = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

beforeAll(async () => {
  elsewhere = createServer((req, res) => {
    seenElsewhere.push(`${req.method} ${req.url} ${JSON.stringify(req.headers)}`);
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  }).listen(0, "127.0.0.1");
  await once(elsewhere, "listening");
  redirector = createServer((req, res) => {
    res.writeHead(307, { location: `${url(elsewhere)}${req.url}` }).end();
  }).listen(0, "127.0.0.1");
  await once(redirector, "listening");
});
afterAll(() => {
  elsewhere.close();
  redirector.close();
});

describe("a redirect from an allowed host", () => {
  it("is refused by a vendor adapter, and its Api-Key goes nowhere else", async () => {
    const pinecone = await registryAdapter({
      provider: "pinecone",
      resource: { indexName: "docs", baseUrl: url(redirector) },
      secret: { apiKey: "pinecone-key-never-redirected" },
    });

    const error = await rejectionOf(pinecone.createBackup({ backupId: "bk_1" }), ProviderError);

    expect(error.message).toMatch(
      /with a redirect \(HTTP 307\); requests carrying credentials never follow one/,
    );
    expect(error.message).not.toContain("pinecone-key");
    expect(seenElsewhere).toEqual([]);
  });

  it("is refused by the IAM token client, and the password body is not posted on", async () => {
    const cache = new IamTokenCache();
    const error = await rejectionOf(
      cache.get({
        credentials: {
          authMode: "token",
          domainName: "acme",
          userName: "warden",
          password: "iam-password-never-redirected",
        },
        iamUrl: url(redirector),
        projectId: "p1",
      }),
      ProviderError,
    );

    expect(error.message).toMatch(/IAM answered with a redirect \(HTTP 307\)/);
    expect(seenElsewhere).toEqual([]);
  });

  it("fails a Slack message instead of carrying it to the redirect's host", async () => {
    const sender = new SlackSender({ maxAttempts: 1 });
    const error = await rejectionOf(
      sender.send(`${url(redirector)}/services/T0/B0/secret`, {
        text: "Backup failed",
        blocks: [],
      }),
      SlackSendError,
    );

    expect(error.message).toMatch(/Slack answered 307/);
    expect(seenElsewhere).toEqual([]);
  });
});
