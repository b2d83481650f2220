import { once } from "node:events";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProviderError } from "../../lib/core/provider-error.ts";
import { DcsProvider } from "../../lib/providers/huawei/dcs.ts";
import { IamTokenCache } from "../../lib/providers/huawei/iam-token.ts";
import { scrubSecrets } from "../../lib/providers/scrub.ts";
import { rejectionOf } from "../support/rejections.ts";
import { registryAdapter } from "./conformance-support.ts";

/*
 * A vendor (or a gateway in front of it) that echoes the request it received into its
 * error text must not turn our credentials into an error message — which becomes an API
 * 422 detail, a record's lastError, a log line, a Slack message and a Step Functions
 * cause. Each vendor's own envelope is answered, with every request header echoed.
 */

type Envelope = (echo: string) => unknown;
const ENVELOPES = {
  zilliz: (echo) => ({ code: 80001, message: `invalid token: ${echo}` }),
  pinecone: (echo) => ({
    error: { code: "INVALID_ARGUMENT", message: `bad ${echo}` },
    status: 400,
  }),
  huawei: (echo) => ({ error_code: "DCS.4001", error_msg: `rejected ${echo}` }),
} satisfies Record<string, Envelope>;

let vendor: Server;
let envelope: Envelope = ENVELOPES.zilliz;
beforeAll(async () => {
  vendor = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      // The IAM token endpoint answers with a token the adapter then sends on.
      if (req.url?.startsWith("/v3/auth/tokens")) {
        res
          .writeHead(201, {
            "content-type": "application/json",
            "x-subject-token": "IAMTOKEN-ISSUED-42",
          })
          .end(JSON.stringify({ token: { expires_at: "2099-01-01T00:00:00Z" } }));
        return;
      }
      const echo = `${JSON.stringify(headersOf(req.headers))} ${body}`;
      res
        .writeHead(400, { "content-type": "application/json" })
        .end(JSON.stringify(envelope(echo)));
    });
  }).listen(0, "127.0.0.1");
  await once(vendor, "listening");
});
afterAll(() => {
  vendor.close();
});
const baseUrl = () => `http://127.0.0.1:${(vendor.address() as AddressInfo).port}`;
const headersOf = (headers: IncomingHttpHeaders) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => name !== "host"));

const HUAWEI_RESOURCE = {
  region: "ap-southeast-1",
  projectId: "0123456789abcdef0123456789abcdef",
  instanceId: "3d2b5a8e-7c41-4f0e-9b6a-1e2f3a4b5c6d",
};

describe("vendor text that echoes our credentials", () => {
  it("is scrubbed of the Zilliz API key", async () => {
    envelope = ENVELOPES.zilliz;
    const zilliz = await registryAdapter({
      provider: "zilliz",
      resource: { clusterId: "in01-7b3f9c2e5a1d804", baseUrl: baseUrl() },
      secret: { apiKey: "zilliz-key-ECHOED-1" },
    });

    const error = await rejectionOf(zilliz.createBackup({ backupId: "bk_1" }), ProviderError);

    expect(error.message).toContain("invalid token");
    expect(error.message).toContain("***");
    expect(error.message).not.toContain("ECHOED");
  });

  it("is scrubbed of the Pinecone API key", async () => {
    envelope = ENVELOPES.pinecone;
    const pinecone = await registryAdapter({
      provider: "pinecone",
      resource: { indexName: "docs", baseUrl: baseUrl() },
      secret: { apiKey: "pcsk_pinecone-key-ECHOED-2" },
    });

    const error = await rejectionOf(pinecone.createBackup({ backupId: "bk_1" }), ProviderError);

    expect(error.message).toContain("bad");
    expect(error.message).not.toContain("ECHOED");
  });

  it("is scrubbed of Huawei AK/SK and security token", async () => {
    envelope = ENVELOPES.huawei;
    const dcs = await registryAdapter({
      provider: "huawei-dcs",
      resource: { ...HUAWEI_RESOURCE, baseUrl: baseUrl() },
      secret: { ak: "AKECHOED3", sk: "SKECHOED3", securityToken: "STECHOED3" },
    });

    const error = await rejectionOf(dcs.createBackup({ backupId: "bk_1" }), ProviderError);

    expect(error.message).toContain("rejected");
    expect(error.message).not.toContain("ECHOED");
  });

  it("is scrubbed of the IAM token Huawei issued us, not only the password", async () => {
    envelope = ENVELOPES.huawei;
    const dcs = new DcsProvider({
      baseUrl: baseUrl(),
      credentials: {
        authMode: "token",
        domainName: "acme",
        userName: "warden",
        password: "hunter2-ECHOED-4",
      },
      region: HUAWEI_RESOURCE.region,
      projectId: HUAWEI_RESOURCE.projectId,
      resource: { ...HUAWEI_RESOURCE, apiVersion: "v2" },
      tokenCache: new IamTokenCache(),
      iamUrl: baseUrl(),
    });

    const error = await rejectionOf(dcs.createBackup({ backupId: "bk_1" }), ProviderError);

    expect(error.message).toContain("rejected");
    expect(error.message).not.toMatch(/ECHOED|IAMTOKEN/);
  });
});

describe("scrubSecrets", () => {
  it("masks each known value as sent, URL-escaped and JSON-escaped", () => {
    const secret = 'k/y+"z"1';
    const text = `a ${secret} b ${encodeURIComponent(secret)} c ${JSON.stringify(secret)}`;

    expect(scrubSecrets(text, [secret])).toBe('a *** b *** c "***"');
  });

  it("masks a longer secret whole even when a shorter one is inside it", () => {
    expect(scrubSecrets("x abcd-efgh y", ["abcd", "abcd-efgh"])).toBe("x *** y");
  });

  it("masks credential-shaped values it was not told about, and leaves words alone", () => {
    expect(
      scrubSecrets("Authorization: Bearer abc.def api-key=XYZ password: 'p4ss' token ok", []),
    ).toBe("Authorization: Bearer *** api-key=*** password: '***' token ok");
  });

  it("ignores values too short to be credentials", () => {
    expect(scrubSecrets("one ab two", ["ab", undefined, ""])).toBe("one ab two");
  });
});
