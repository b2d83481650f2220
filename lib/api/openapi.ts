import * as z from "zod";
import type { Route } from "./router.ts";
import { Problem } from "./schemas.ts";

/** The errors every route may answer, besides its own. */
const COMMON_ERRORS: Record<number, string> = {
  400: "Malformed request: bad JSON, a missing or invalid field (see `errors`)",
  413: "Request body larger than 256 KB",
  415: "Request body is not JSON",
  429: "Too many requests",
};

function jsonSchema(schema: z.ZodType): unknown {
  // Request schemas describe what callers send (inputs, before defaults and transforms).
  return z.toJSONSchema(schema, { target: "draft-2020-12", io: "input", unrepresentable: "any" });
}

function outputSchema(schema: z.ZodType): unknown {
  return z.toJSONSchema(schema, { target: "draft-2020-12", io: "output", unrepresentable: "any" });
}

/**
 * The OpenAPI 3.1 document of the API, generated from the route table and the same zod
 * schemas that validate requests: it cannot drift from what the code accepts.
 */
export function buildOpenApi(routes: Route[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const params = [...route.path.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string", pattern: "^[A-Za-z0-9_-]{1,64}$" },
    }));
    const query = route.doc.query
      ? Object.entries(
          (jsonSchema(route.doc.query) as { properties?: Record<string, unknown> }).properties ??
            {},
        ).map(([name, schema]) => ({
          name,
          in: "query",
          required: (
            (jsonSchema(route.doc.query!) as { required?: string[] }).required ?? []
          ).includes(name),
          schema,
        }))
      : [];
    const headers = Object.entries(route.doc.headers ?? {}).map(([name, h]) => ({
      name,
      in: "header",
      required: false,
      description: h.description,
      schema: jsonSchema(h.schema),
    }));
    const responses: Record<string, unknown> = {};
    for (const [status, r] of Object.entries(route.doc.responses)) {
      responses[status] = {
        description: r.description,
        ...(r.schema
          ? { content: { "application/json": { schema: outputSchema(r.schema) } } }
          : {}),
      };
    }
    const errors: Record<number, string> = { ...COMMON_ERRORS, ...route.doc.errors };
    if (route.auth) errors[401] = "Missing or invalid credentials";
    for (const [status, description] of Object.entries(errors)) {
      responses[status] ??= {
        description,
        content: {
          "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } },
        },
      };
    }
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.auth ? {} : { security: [] }),
      parameters: [...params, ...query, ...headers],
      ...(route.doc.body
        ? {
            requestBody: {
              required: true,
              content: { "application/json": { schema: jsonSchema(route.doc.body) } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "backup-warden API",
      version,
      description:
        "Creates, tracks, retains and deletes backups on managed data services. Errors are application/problem+json.",
    },
    servers: [{ url: "/" }],
    security: [{ warden: [] }],
    components: {
      securitySchemes: {
        warden: {
          type: "http",
          scheme: "bearer",
          description:
            "Locally a bearer token; on AWS, IAM authorization (sign requests with SigV4).",
        },
      },
      schemas: { Problem: outputSchema(Problem) },
    },
    paths,
  };
}

/**
 * The operations present on one side only: routes the document does not describe, and
 * documented operations no route serves. Both lists must be empty (checked in CI).
 */
export function compareRoutesWithDocument(
  routes: Pick<Route, "method" | "path">[],
  document: { paths?: Record<string, Record<string, unknown>> },
): { undocumented: string[]; unrouted: string[] } {
  const routed = new Set(routes.map((r) => `${r.method} ${r.path}`));
  const documented = new Set(
    Object.entries(document.paths ?? {}).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    ),
  );
  return {
    undocumented: [...routed].filter((r) => !documented.has(r)).sort(),
    unrouted: [...documented].filter((d) => !routed.has(d)).sort(),
  };
}
