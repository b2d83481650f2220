import { apiRoutes } from "../lib/api/routes.ts";
import { wardenFunction } from "./functions.ts";
import "./validation.ts";

/**
 * The `/v1` HTTP API: one function behind every route (the router in `lib/api/` does the
 * dispatching), IAM authorization on every route the route table marks `auth`.
 * Internet-facing, so it holds no vendor credentials: a new target is checked at its
 * vendor by the validate-target function (stacks/validation.ts), invoked synchronously.
 */
export const apiFunction = wardenFunction("ApiHandler", "api", {
  description: "backup-warden HTTP API (/v1)",
  timeout: "10 seconds",
  memory: "1024 MB",
});

/** Callers sign requests (SigV4); no browser calls this API, so no CORS. */
export const api = new sst.aws.ApiGatewayV2("Api", { cors: false });

/** The route table, read from the router itself (handlers are never called here). */
export const routes = apiRoutes({} as never).map(({ method, path, auth }) => ({
  method,
  path,
  auth,
}));

for (const route of routes) {
  api.route(
    `${route.method} ${route.path}`,
    apiFunction.arn,
    route.auth ? { auth: { iam: true } } : {},
  );
}
