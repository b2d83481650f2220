import type { BackupService } from "../usecases/backups.ts";
import type { ComplianceService } from "../usecases/compliance.ts";
import type { PolicyService } from "../usecases/policies.ts";
import type { Reconciliations } from "../usecases/reconcile-lambda.ts";
import type { RestoreService } from "../usecases/restores.ts";
import type { RetentionService } from "../usecases/retention.ts";
import type { TargetService } from "../usecases/targets.ts";
import type { UsageService } from "../usecases/usage.ts";
import { json } from "./http.ts";
import { buildOpenApi } from "./openapi.ts";
import type { Route } from "./router.ts";
import { backupRoutes } from "./routes/backups.ts";
import { fleetRoutes } from "./routes/fleet.ts";
import { policyRoutes } from "./routes/policies.ts";
import { restoreRoutes } from "./routes/restores.ts";
import { targetRoutes } from "./routes/targets.ts";
import { Health } from "./schemas.ts";

/** What the API needs. */
export interface ApiDeps {
  targets: TargetService;
  backups: BackupService;
  policies: PolicyService;
  restores: RestoreService;
  retention: RetentionService;
  /** Reconciling a target at its vendor (in the reconcile function). */
  reconciliations: Reconciliations;
  compliance: ComplianceService;
  usage: UsageService;
  version: string;
}

/** The `/v1` routes: the one table behind the router, the OpenAPI document and the stacks. */
export function apiRoutes(deps: ApiDeps): Route[] {
  const routes: Route[] = [
    {
      method: "GET",
      path: "/v1/health",
      operationId: "getHealth",
      summary: "Liveness: the only route that needs no authentication",
      auth: false,
      doc: { responses: { 200: { description: "The service is up", schema: Health } } },
      handle: async () => json(200, { status: "ok", version: deps.version }),
    },
    {
      method: "GET",
      path: "/v1/openapi.json",
      operationId: "getOpenApi",
      summary: "This API's OpenAPI 3.1 document, generated from the route table",
      auth: true,
      doc: { responses: { 200: { description: "The OpenAPI document" } } },
      handle: async () => json(200, buildOpenApi(routes, deps.version)),
    },
    ...targetRoutes(deps.targets, deps.reconciliations),
    ...backupRoutes(deps.backups),
    ...policyRoutes(deps.policies, deps.retention),
    ...restoreRoutes(deps.restores),
    ...fleetRoutes(deps.compliance, deps.usage),
  ];
  return routes;
}
