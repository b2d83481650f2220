import type * as z from "zod";
import { ErrorCode } from "../core/errors.ts";
import { type HttpRequest, type HttpResponse, problem, problemOf } from "./http.ts";

/** What a route handler gets: the request plus the path parameters it matched. */
export interface RouteContext extends HttpRequest {
  params: Record<string, string>;
}

/** One API route. The table of these is also the source of the OpenAPI document and the stacks' routes. */
export interface Route {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** API Gateway style path, e.g. `/v1/targets/{targetId}`. */
  path: string;
  operationId: string;
  summary: string;
  /** False only for health: every other route needs the caller to authenticate. */
  auth: boolean;
  /** What the route accepts and answers; the OpenAPI document is generated from it. */
  doc: RouteDoc;
  handle(context: RouteContext): Promise<HttpResponse>;
}

/** A route's documentation: the same zod schemas that validate its input. */
export interface RouteDoc {
  body?: z.ZodType;
  query?: z.ZodObject;
  headers?: Record<string, { schema: z.ZodType; description: string }>;
  /** Success responses by status. */
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  /** Route-specific errors (409, 404, 412, 422…) by status. */
  errors?: Record<number, string>;
}

function compile(path: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const pattern = path.replace(/\{([A-Za-z]+)\}/g, (_, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  return { regex: new RegExp(`^${pattern}/?$`), names };
}

/**
 * Dispatches requests over a route table: 404 for an unknown path, 405 (with `Allow`)
 * for a known path and another method, problem+json for every error.
 *
 * Hand-written on purpose: a dozen lines, and the same table drives OpenAPI and infra.
 */
export function createRouter(
  routes: Route[],
  onError: (error: unknown, request: HttpRequest) => void = () => {},
) {
  const compiled = routes.map((route) => ({ route, ...compile(route.path) }));
  return async function dispatch(request: HttpRequest): Promise<HttpResponse> {
    const matches = compiled
      .map((c) => ({ c, m: c.regex.exec(request.path) }))
      .filter((x): x is { c: (typeof compiled)[number]; m: RegExpExecArray } => x.m !== null);
    if (matches.length === 0) {
      return problem(404, "Not Found", `no route for ${request.path}`, { code: "ROUTE_NOT_FOUND" });
    }
    const hit = matches.find((x) => x.c.route.method === request.method);
    if (!hit) {
      const allow = [...new Set(matches.map((x) => x.c.route.method))].join(", ");
      const response = problem(
        405,
        "Method Not Allowed",
        `${request.method} is not allowed on ${request.path}`,
      );
      return { ...response, headers: { ...response.headers, allow } };
    }
    const params: Record<string, string> = {};
    for (const [i, name] of hit.c.names.entries()) {
      try {
        params[name] = decodeURIComponent(hit.m[i + 1] ?? "");
      } catch {
        // `%` not followed by two hex digits, or bytes that are no UTF-8: the caller's URL.
        return problem(
          400,
          "Bad Request",
          `the path segment for {${name}} has malformed percent-encoding`,
          {
            code: ErrorCode.VALIDATION,
          },
        );
      }
    }
    try {
      return await hit.c.route.handle({ ...request, params });
    } catch (error) {
      const response = problemOf(error);
      if (response.status >= 500) onError(error, request);
      return response;
    }
  };
}
