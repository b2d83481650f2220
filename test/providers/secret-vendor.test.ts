import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigurationError } from "../../lib/core/errors.ts";
import { createProviderFactory } from "../../lib/providers/registry.ts";
import { StaticSecretSource } from "../../lib/providers/secrets.ts";
import { rejectionOf } from "../support/rejections.ts";
import { storedTarget } from "../support/targets.ts";

/*
 * A secret belongs to one vendor: a Pinecone target naming the Zilliz secret must not
 * send the Zilliz key to Pinecone's host (or to any host). The secret's JSON says whose
 * it is (`vendor`); the factory refuses any other use before a request is built.
 */

let vendor: Server;
const seen: string[] = [];
beforeAll(async () => {
  vendor = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${JSON.stringify(req.headers)}`);
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  }).listen(0, "127.0.0.1");
  await once(vendor, "listening");
});
afterAll(() => {
  vendor.close();
});
const baseUrl = () => `http://127.0.0.1:${(vendor.address() as AddressInfo).port}`;

const secrets = new StaticSecretSource({
  "shared/zilliz": { vendor: "zilliz", apiKey: "zilliz-key-STAYS-HOME" },
  "shared/unbound": { apiKey: "unbound-key-STAYS-HOME" },
  "shared/huawei": { vendor: "huawei", ak: "AK-1234", sk: "SK-1234" },
});
const providers = createProviderFactory({ secrets, allowLoopback: true });

const pineconeTarget = (secretRef: string) =>
  storedTarget({
    id: "docs",
    provider: "pinecone",
    secretRef,
    resource: { indexName: "docs", baseUrl: baseUrl() },
  });

describe("a secret bound to its vendor", () => {
  it("is refused for a target of another vendor, and nothing is sent", async () => {
    const error = await rejectionOf(providers(pineconeTarget("shared/zilliz")), ConfigurationError);

    expect(error.message).toBe(
      "secret shared/zilliz belongs to zilliz, not pinecone: a target may only use its own vendor's credentials",
    );
    expect(seen).toEqual([]);
  });

  it("is refused when it does not say whose it is, with the field to add", async () => {
    const error = await rejectionOf(
      providers(pineconeTarget("shared/unbound")),
      ConfigurationError,
    );

    expect(error.message).toBe(
      'secret shared/unbound does not say which vendor it belongs to: add "vendor": "pinecone" to its JSON',
    );
    expect(error.message).not.toContain("STAYS-HOME");
    expect(seen).toEqual([]);
  });

  it("serves both Huawei services from one huawei secret", async () => {
    const location = {
      region: "ap-southeast-1",
      projectId: "0123456789abcdef0123456789abcdef",
      instanceId: "3d2b5a8e-7c41-4f0e-9b6a-1e2f3a4b5c6d",
      baseUrl: baseUrl(),
    };
    for (const provider of ["huawei-dcs", "huawei-taurusdb"] as const) {
      const target = storedTarget({
        id: provider,
        provider,
        secretRef: "shared/huawei",
        resource: location,
      });
      await expect(providers(target)).resolves.toBeDefined();
    }
  });
});
