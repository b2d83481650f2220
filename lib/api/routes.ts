import type { BackupService } from "../usecases/backups.ts";
import type { PolicyService } from "../usecases/policies.ts";
import type { RetentionService } from "../usecases/retention.ts";
import type { TargetService } from "../usecases/targets.ts";
import { json } from "./http.ts";
import type { Route } from "./router.ts";
import { backupRoutes } from "./routes/backups.ts";
import { policyRoutes } from "./routes/policies.ts";
import { targetRoutes } from "./routes/targets.ts";

/** What the API needs. */
export interface ApiDeps {
  targets: TargetService;
  backups: BackupService;
  policies: PolicyService;
  retention: RetentionService;
  version: string;
}

/** The `/v1` routes: the one table behind the router, the OpenAPI document and the stacks. */
export function apiRoutes(deps: ApiDeps): Route[] {
  return [
    {
      method: "GET",
      path: "/v1/health",
      operationId: "getHealth",
      summary: "Liveness: the only route that needs no authentication",
      auth: false,
      handle: async () => json(200, { status: "ok", version: deps.version }),
    },
    ...targetRoutes(deps.targets),
    ...backupRoutes(deps.backups),
    ...policyRoutes(deps.policies, deps.retention),
  ];
}
