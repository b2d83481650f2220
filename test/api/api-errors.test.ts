import { describe, expect, it } from "vitest";
import type { LocalStack } from "../support/local-stack.ts";
import { useLocalStack } from "../support/use-local-stack.ts";

/** POSTs a target to the stack's API as JSON. */
const registerTarget = (stack: LocalStack, target: Record<string, unknown>) =>
  stack.request("POST", "/v1/targets", { body: JSON.stringify(target) });

describe("HTTP API: bad input gets a clear 4xx problem and changes nothing", () => {
  const stack = useLocalStack();

  const validTarget = {
    id: "orders",
    name: "Orders",
    provider: "zilliz",
    secretRef: "sandbox/zilliz",
    resource: { clusterId: "in01-7b3f9c2e5a1d804" },
  };

  function expectProblem(r: { status: number; headers: Headers; json: any }, status: number) {
    expect(r.status).toBe(status);
    expect(r.headers.get("content-type")).toBe("application/problem+json");
    expect(r.json).toMatchObject({
      status,
      title: expect.any(String),
      detail: expect.any(String),
      type: expect.any(String),
    });
    expect(JSON.stringify(r.json)).not.toMatch(/at .*\.ts:\d+|node_modules|Error:/);
  }

  it("answers health without a token", async () => {
    const r = await stack.request("GET", "/v1/health", { auth: false });
    expect(r.status).toBe(200);
    expect(r.json.status).toBe("ok");
  });

  it.each([
    ["GET", "/v1/targets"],
    ["POST", "/v1/targets"],
    ["GET", "/v1/targets/demo-zilliz"],
    ["POST", "/v1/targets/demo-zilliz/backups"],
    ["GET", "/v1/backups"],
    ["GET", "/v1/backups/bk_x"],
    ["DELETE", "/v1/backups/bk_x"],
  ])("refuses %s %s without the bearer token (401)", async (method, path) => {
    expectProblem(await stack.request(method, path, { auth: false }), 401);
    expectProblem(
      await stack.request(method, path, {
        auth: false,
        headers: { authorization: "Bearer wrong" },
      }),
      401,
    );
  });

  it("refuses malformed JSON with 400", async () => {
    expectProblem(await stack.request("POST", "/v1/targets", { body: '{"id": "x",' }), 400);
  });

  it("refuses an unknown provider with 400 naming the field", async () => {
    const r = await registerTarget(stack, { ...validTarget, provider: "mongo" });
    expectProblem(r, 400);
    expect(r.json.errors.map((e: { path: string }) => e.path)).toContain("provider");
  });

  it("refuses missing fields with 400 listing each of them", async () => {
    const r = await registerTarget(stack, { provider: "zilliz" });
    expectProblem(r, 400);
    const paths = r.json.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(["name", "secretRef", "resource"]));
  });

  it("refuses a body over 256 KB with 413", async () => {
    const r = await registerTarget(stack, { ...validTarget, name: "x".repeat(300 * 1024) });
    expectProblem(r, 413);
  });

  it("refuses a non-JSON content type with 415", async () => {
    const r = await stack.request("POST", "/v1/targets", {
      body: "id=x",
      headers: { "content-type": "text/plain" },
    });
    expectProblem(r, 415);
  });

  it("refuses a base URL outside the vendor's allowed hosts with 400", async () => {
    const r = await registerTarget(stack, {
      ...validTarget,
      resource: { clusterId: "in01-x", baseUrl: "https://evil.example.com" },
    });
    expectProblem(r, 400);
    expect(r.json.errors[0].path).toBe("resource.baseUrl");
  });

  it.each([
    ["GET", "/v1/targets/nope"],
    ["POST", "/v1/targets/nope/backups"],
    ["GET", "/v1/backups/bk_nope"],
    ["DELETE", "/v1/backups/bk_nope"],
    ["GET", "/v1/nothing-here"],
  ])("answers %s %s (an unknown target, backup or route) with 404", async (method, path) => {
    expectProblem(await stack.request(method, path), 404);
  });

  it("answers 405 with Allow for a known path and another method", async () => {
    const r = await stack.request("PUT", "/v1/targets");
    expectProblem(r, 405);
    expect(r.headers.get("allow")).toBe("POST, GET");
  });

  it.each([
    ["a limit over the maximum", "/v1/backups?limit=1000"],
    ["an unknown status", "/v1/backups?status=ALMOST"],
    ["a forged cursor", "/v1/backups?cursor=eyJwayI6IngifQ"],
    ["a misspelt filter", "/v1/backups?targetld=typo"],
    ["an unknown parameter", "/v1/targets?junk=1"],
  ])("refuses %s with 400 (GET %s)", async (_, path) => {
    expectProblem(await stack.request("GET", path), 400);
  });

  it("refuses an unknown field in a backup request and a malformed Idempotency-Key", async () => {
    expectProblem(
      await stack.request("POST", "/v1/targets/demo-zilliz/backups", { body: '{"when":"now"}' }),
      400,
    );
    expectProblem(
      await stack.request("POST", "/v1/targets/demo-zilliz/backups", {
        headers: { "idempotency-key": "bad key!" },
      }),
      400,
    );
  });

  it("wrote nothing for any of the refused requests", async () => {
    const targets = await stack.request("GET", "/v1/targets");
    expect(targets.json.items.map((t: { id: string }) => t.id).sort()).toEqual([
      "demo-huawei-dcs",
      "demo-huawei-taurusdb",
      "demo-pinecone",
      "demo-zilliz",
    ]);
    const backups = await stack.request("GET", "/v1/backups");
    expect(backups.json.items).toEqual([]);
  });

  it("accepts a valid target with 201 and a Location header, and 409 for the same id again", async () => {
    const r = await registerTarget(stack, validTarget);
    expect(r.status).toBe(201);
    expect(r.headers.get("location")).toBe("/v1/targets/orders");
    expect(r.json).toMatchObject({
      id: "orders",
      provider: "zilliz",
      completionWindowMinutes: 360,
    });
    expectProblem(await registerTarget(stack, validTarget), 409);
  });
});

describe("problem documents", () => {
  it("keep their own status even when the error carries a status detail", async () => {
    const { problemOf } = await import("../../lib/api/http.ts");
    const { ConflictError } = await import("../../lib/core/errors.ts");
    const response = problemOf(new ConflictError("busy", { status: "CREATING", type: "x" }));
    expect(JSON.parse(response.body!)).toMatchObject({
      status: 409,
      title: "Conflict",
      detail: "busy",
    });
    expect(JSON.parse(response.body!).type).toMatch(/^urn:backup-warden:problem:/);
  });
});

describe("registering targets checks the vendor first", () => {
  const stack = useLocalStack();

  const dcs = () =>
    stack.runtime.sandbox["huawei-dcs"] as {
      url: string;
      projectId: string;
      instances: { id: string; mode: string }[];
    };

  it("refuses a single-node DCS instance with 400 and a clear message", async () => {
    const single = dcs().instances.find((i) => i.mode === "single")!;
    const r = await registerTarget(stack, {
      id: "cache-single",
      name: "single",
      provider: "huawei-dcs",
      secretRef: "sandbox/huawei-dcs",
      resource: {
        region: "ap-southeast-1",
        projectId: dcs().projectId,
        instanceId: single.id,
        baseUrl: dcs().url,
      },
    });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.json)).toMatch(/single-node/i);
    expect((await stack.request("GET", "/v1/targets/cache-single")).status).toBe(404);
  });

  it("refuses a target whose secret is not configured with 422 naming the secret, never its value", async () => {
    const r = await registerTarget(stack, {
      name: "no secret",
      provider: "pinecone",
      secretRef: "warden/not-there",
      resource: { indexName: "products" },
    });
    expect(r.status).toBe(422);
    expect(r.json.detail).toContain("warden/not-there");
  });

  it("refuses a target naming another vendor's secret with 422, and stores nothing", async () => {
    const r = await registerTarget(stack, {
      id: "borrowed-key",
      name: "Pinecone with the Zilliz key",
      provider: "pinecone",
      secretRef: "sandbox/zilliz",
      resource: { indexName: "products" },
    });
    expect(r.status).toBe(422);
    expect(r.headers.get("content-type")).toBe("application/problem+json");
    expect(r.json.detail).toBe(
      "secret sandbox/zilliz belongs to zilliz, not pinecone: a target may only use its own vendor's credentials",
    );
    expect((await stack.request("GET", "/v1/targets/borrowed-key")).status).toBe(404);
  });

  it("refuses a Huawei base URL outside the service's regional hosts", async () => {
    const r = await registerTarget(stack, {
      name: "evil",
      provider: "huawei-taurusdb",
      secretRef: "sandbox/huawei-taurusdb",
      resource: {
        region: "ap-southeast-1",
        projectId: "0123456789abcdef0123456789abcdef",
        instanceId: "abc-in07",
        baseUrl: "https://gaussdb.ap-southeast-1.evil.example.com",
      },
    });
    expect(r.status).toBe(400);
    expect(r.json.errors[0].path).toBe("resource.baseUrl");
  });
});

describe("HTTP API: a malformed path is the caller's mistake, not ours", () => {
  const stack = useLocalStack();

  it.each([
    ["GET", "/v1/backups/%E0%A4%A"],
    ["GET", "/v1/targets/%"],
    ["DELETE", "/v1/backups/%ZZ"],
  ])("answers %s %s with 400 problem+json", async (method, path) => {
    const r = await stack.request(method, path);

    expect(r.status).toBe(400);
    expect(r.headers.get("content-type")).toBe("application/problem+json");
    expect(r.json).toMatchObject({
      status: 400,
      detail: expect.stringMatching(/percent-encoding/),
    });
  });
});

describe("HTTP API: a forged cursor is a 400, whatever it decodes to", () => {
  const stack = useLocalStack();
  const cursor = (key: unknown) =>
    encodeURIComponent(Buffer.from(JSON.stringify(key)).toString("base64url"));

  it.each([
    ["partial key", "/v1/backups?targetId=demo-zilliz", { gsi1pk: "TARGET#demo-zilliz" }],
    [
      "extra attribute",
      "/v1/backups?targetId=demo-zilliz",
      { gsi1pk: "TARGET#demo-zilliz", gsi1sk: "x", pk: "a", sk: "b", zz: "q" },
    ],
    [
      "foreign partition",
      "/v1/backups?targetId=demo-zilliz",
      { gsi1pk: "TARGET#demo-pinecone", gsi1sk: "x", pk: "a", sk: "b" },
    ],
    [
      "sort key past DynamoDB's size",
      "/v1/backups",
      { gsi3pk: "BACKUPS", gsi3sk: "x".repeat(1100), pk: "a", sk: "b" },
    ],
    [
      "outside the range asked for",
      "/v1/backups?createdAfter=2026-01-01T00:00:00Z",
      { gsi3pk: "BACKUPS", gsi3sk: "2020", pk: "a", sk: "b" },
    ],
    ["empty key part", "/v1/targets", { gsi1pk: "TARGETS", gsi1sk: "z", pk: "", sk: "b" }],
    ["numbers for strings", "/v1/targets", { gsi1pk: "TARGETS", gsi1sk: 1, pk: "a", sk: "b" }],
    ["a list", "/v1/policies", ["POLICIES"]],
  ])("refuses a cursor with %s", async (_what, path, key) => {
    const r = await stack.request(
      "GET",
      `${path}${path.includes("?") ? "&" : "?"}cursor=${cursor(key)}`,
    );

    expect(r.status).toBe(400);
    expect(r.headers.get("content-type")).toBe("application/problem+json");
    expect(r.json.errors[0].path).toBe("cursor");
  });

  it("still follows a real cursor to the next page", async () => {
    const first = await stack.request("GET", "/v1/targets?limit=1");
    const next = await stack.request(
      "GET",
      `/v1/targets?limit=1&cursor=${encodeURIComponent(first.json.nextCursor)}`,
    );

    expect(next.status).toBe(200);
    expect(next.json.items[0].id).not.toBe(first.json.items[0].id);
  });
});

describe("HTTP API: tag keys named like an object's own properties", () => {
  const stack = useLocalStack();

  it.each(["constructor", "__proto__", "toString", "hasOwnProperty", "prototype"])(
    "refuses the tag key %s with 400 naming it, and stores nothing",
    async (key) => {
      const id = `tagged-${key.replace(/_/g, "").toLowerCase()}`;
      const r = await registerTarget(stack, {
        id,
        name: "tagged",
        provider: "zilliz",
        secretRef: "sandbox/zilliz",
        resource: { clusterId: "in01-5e1d0a9c3b7f226" },
        tags: JSON.parse(`{"env": "prod", ${JSON.stringify(key)}: "x"}`),
      });

      expect(r.status).toBe(400);
      expect(r.json.errors).toContainEqual({
        path: `tags.${key}`,
        message: `tag key "${key}" is reserved`,
      });
      expect((await stack.request("GET", `/v1/targets/${id}`)).status).toBe(404);
    },
  );
});
