import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { buildOpenApi, compareRoutesWithDocument } from "../../lib/api/openapi.ts";
import { apiRoutes } from "../../lib/api/routes.ts";
import { useLocalStack } from "../support/use-local-stack.ts";

describe("OpenAPI document", () => {
  let document: any;
  useLocalStack({}, async (stack) => {
    const r = await stack.request("GET", "/v1/openapi.json");
    expect(r.status).toBe(200);
    document = r.json;
  });

  it("is served at /v1/openapi.json and is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("describes every route of the router, and nothing else", () => {
    const routes = apiRoutes({} as never);
    expect(compareRoutesWithDocument(routes, document)).toEqual({ undocumented: [], unrouted: [] });
    expect(Object.keys(document.paths).length).toBeGreaterThan(10);
  });

  it("notices a route missing from the document, and a documented route that does not exist", () => {
    const routes = apiRoutes({} as never);
    const partial = buildOpenApi(routes.slice(1), "test");
    expect(compareRoutesWithDocument(routes, partial).undocumented).toEqual([
      `${routes[0]!.method} ${routes[0]!.path}`,
    ]);
    const extra = buildOpenApi([...routes, { ...routes[0]!, path: "/v1/ghost" }], "test");
    expect(compareRoutesWithDocument(routes, extra).unrouted).toEqual(["GET /v1/ghost"]);
  });

  it("documents request bodies and problem responses from the same zod schemas", () => {
    const create = document.paths["/v1/targets"].post;
    expect(
      create.requestBody.content["application/json"].schema.oneOf ??
        create.requestBody.content["application/json"].schema.anyOf,
    ).toBeDefined();
    expect(create.responses["400"].content["application/problem+json"]).toBeDefined();
    expect(create.parameters.map((p: { name: string }) => p.name)).toContain("Idempotency-Key");
    expect(document.paths["/v1/health"].get.security).toEqual([]);
    expect(
      document.paths["/v1/backups"].get.parameters.map((p: { name: string }) => p.name),
    ).toEqual(
      expect.arrayContaining([
        "targetId",
        "status",
        "policyId",
        "createdAfter",
        "createdBefore",
        "limit",
        "cursor",
      ]),
    );
  });
});
