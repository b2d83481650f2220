import * as z from "zod";
import { NotFoundError } from "../../core/errors.ts";
import { ID_PATTERN } from "../../core/ids.ts";
import { CreateTargetInput, UpdateTargetInput } from "../../core/target.ts";
import { Reconciliation } from "../../usecases/reconcile.ts";
import type { Reconciliations } from "../../usecases/reconcile-lambda.ts";
import type { TargetService } from "../../usecases/targets.ts";
import { json, parseOr400 } from "../http.ts";
import { pathId } from "../params.ts";
import type { Route } from "../router.ts";
import { TargetOut } from "../schemas.ts";
import { entityRoutes } from "./entity.ts";

const DeleteQuery = z.object({ backups: z.enum(["keep", "expire"]).optional() }).strict();
const RetireOut = z.object({
  targetId: z.string(),
  deleted: z.boolean(),
  expiring: z.array(z.string()),
  held: z.array(z.string()),
});

/** `/v1/targets` */
export function targetRoutes(targets: TargetService, reconciliations: Reconciliations): Route[] {
  const reconciliation = (method: "GET" | "POST"): Route => ({
    method,
    path: "/v1/targets/{targetId}/reconciliation",
    operationId: method === "GET" ? "previewReconciliation" : "reconcileTarget",
    summary:
      method === "GET"
        ? "Compare the target's vendor backups with the catalogue; what would be done (nothing is)"
        : "Compare the target's vendor backups with the catalogue and act on the differences now",
    auth: true,
    doc: {
      responses: {
        200: { description: "The differences, and what is done", schema: Reconciliation },
      },
      errors: { 404: "No such target", 502: "The vendor could not be asked" },
    },
    handle: async (request) => {
      const id = pathId(request.params.targetId, "targetId");
      // No target has an id outside the pattern: a 404 without asking anyone.
      if (!ID_PATTERN.test(id)) throw new NotFoundError("target", id);
      return json(200, await reconciliations.run(id, { dryRun: method === "GET" }));
    },
  });
  return [
    ...entityRoutes({
      name: "target",
      type: "Target",
      plural: "targets",
      path: "/v1/targets",
      idParam: "targetId",
      create: CreateTargetInput,
      update: UpdateTargetInput,
      out: TargetOut,
      createSummary: "Register a target (one vendor resource to back up)",
      updateSummary: "Replace a target's settings (If-Match guards against lost updates: 412)",
      createErrors: { 422: "Idempotency-Key reused with another body" },
      updateErrors: { 409: "The target is being deleted", 422: "The vendor cannot change" },
      service: targets,
    }),
    {
      method: "DELETE",
      path: "/v1/targets/{targetId}",
      operationId: "deleteTarget",
      summary: "Delete a target; with backups, choose ?backups=keep or ?backups=expire",
      auth: true,
      doc: {
        query: DeleteQuery,
        responses: {
          204: { description: "Deleted" },
          202: { description: "Retiring: its backups are being expired", schema: RetireOut },
        },
        errors: {
          404: "No such target",
          409: "It has backups: choose ?backups=keep or ?backups=expire",
        },
      },
      handle: async (request) => {
        const id = pathId(request.params.targetId, "targetId");
        const { backups } = parseOr400(DeleteQuery, request.query, "query");
        const result = await targets.delete(id, backups);
        return result.deleted
          ? { status: 204, headers: {} }
          : json(202, { targetId: id, ...result });
      },
    },
    reconciliation("GET"),
    reconciliation("POST"),
  ];
}
