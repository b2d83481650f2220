import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProviderError } from "../../lib/core/provider-error.ts";
import { rejectionOf } from "../support/rejections.ts";
import { registryAdapter } from "./conformance-support.ts";

/*
 * A vendor id goes into a URL only if it looks like an id: a DCS backup id of `..` would
 * otherwise turn `DELETE …/instances/{id}/backups/..` into the instance-delete endpoint.
 */

let vendor: Server;
const seen: string[] = [];
beforeAll(async () => {
  vendor = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.writeHead(204).end();
  }).listen(0, "127.0.0.1");
  await once(vendor, "listening");
});
afterAll(() => {
  vendor.close();
});
const baseUrl = () => `http://127.0.0.1:${(vendor.address() as AddressInfo).port}`;

describe("vendor ids in URLs", () => {
  it.each(["..", ".", "", "a/b", "x?y=1", "%2e%2e"])(
    "refuses the DCS backup id %j before anything is sent",
    async (backupId) => {
      const dcs = await registryAdapter({
        provider: "huawei-dcs",
        resource: {
          region: "ap-southeast-1",
          projectId: "0123456789abcdef0123456789abcdef",
          instanceId: "3d2b5a8e-7c41-4f0e-9b6a-1e2f3a4b5c6d",
          baseUrl: baseUrl(),
        },
        secret: { ak: "AK", sk: "SK" },
      });

      const error = await rejectionOf(
        dcs.deleteBackup({ backupId, resourceId: "3d2b5a8e-7c41-4f0e-9b6a-1e2f3a4b5c6d" }),
        ProviderError,
      );

      expect(error.cls).toBe("INVALID");
      expect(error.message).toMatch(/backup id .* is not a valid id; nothing was sent/);
      expect(seen).toEqual([]);
    },
  );

  it("refuses a Zilliz backup id with a path in it, and a Pinecone one", async () => {
    const zilliz = await registryAdapter({
      provider: "zilliz",
      resource: { clusterId: "in01-7b3f9c2e5a1d804", baseUrl: baseUrl() },
      secret: { apiKey: "k" },
    });
    const pinecone = await registryAdapter({
      provider: "pinecone",
      resource: { indexName: "docs", baseUrl: baseUrl() },
      secret: { apiKey: "k" },
    });

    const a = await rejectionOf(
      zilliz.getBackupStatus({ backupId: "../../clusters", resourceId: "in01-7b3f9c2e5a1d804" }),
      ProviderError,
    );
    const b = await rejectionOf(
      pinecone.deleteBackup({ backupId: "..", resourceId: "docs" }),
      ProviderError,
    );

    expect([a.cls, b.cls]).toEqual(["INVALID", "INVALID"]);
    expect(seen).toEqual([]);
  });
});
