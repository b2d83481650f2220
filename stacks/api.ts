import { apiRoutes } from "../lib/api/routes.ts";
import { publishEvents } from "./events.ts";
import { wardenFunction } from "./functions.ts";
import { tableAccess } from "./storage.ts";
import { startWorkflows, workflowArns } from "./workflow-arns.ts";

/**
 * The `/v1` HTTP API: one function behind every route (the router in `lib/api/` does the
 * dispatching), IAM authorization on every route the route table marks `auth`.
 * The API reads and writes the table, starts both workflows (on-demand backups,
 * deletions) and publishes events; it never reads provider credentials.
 */
export const apiFunction = wardenFunction("ApiHandler", "api", {
  description: "backup-warden HTTP API (/v1)",
  link: [tableAccess, publishEvents, workflowArns],
  permissions: [startWorkflows("create-backup", "delete-backup")],
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
