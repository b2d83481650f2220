import * as z from "zod";
import { CreateTargetInput, UpdateTargetInput } from "../../core/target.ts";
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
export function targetRoutes(targets: TargetService): Route[] {
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
  ];
}
