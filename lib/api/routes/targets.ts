import * as z from "zod";
import { CreateTargetInput, UpdateTargetInput } from "../../core/target.ts";
import type { TargetService } from "../../usecases/targets.ts";
import { json, parseOr400, readJsonBody } from "../http.ts";
import { IdempotencyKey, IfMatch, ListQuery, pathId } from "../params.ts";
import type { Route } from "../router.ts";

const DeleteQuery = z.object({ backups: z.enum(["keep", "expire"]).optional() }).strict();

/** `/v1/targets` */
export function targetRoutes(targets: TargetService): Route[] {
  return [
    {
      method: "POST",
      path: "/v1/targets",
      operationId: "createTarget",
      summary: "Register a target (one vendor resource to back up)",
      auth: true,
      handle: async (request) => {
        const key = parseOr400(
          IdempotencyKey,
          request.headers["idempotency-key"],
          "Idempotency-Key header",
        );
        const input = parseOr400(CreateTargetInput, readJsonBody(request), "target");
        const { target, created } = await targets.create(input, key);
        return json(201, target, {
          location: `/v1/targets/${target.id}`,
          etag: `"${target.version}"`,
          ...(created ? {} : { "idempotent-replayed": "true" }),
        });
      },
    },
    {
      method: "GET",
      path: "/v1/targets",
      operationId: "listTargets",
      summary: "List targets, newest first",
      auth: true,
      handle: async (request) =>
        json(200, await targets.list(parseOr400(ListQuery, request.query, "query"))),
    },
    {
      method: "GET",
      path: "/v1/targets/{targetId}",
      operationId: "getTarget",
      summary: "Read one target",
      auth: true,
      handle: async (request) =>
        json(200, await targets.get(pathId(request.params.targetId, "targetId"))),
    },
    {
      method: "PUT",
      path: "/v1/targets/{targetId}",
      operationId: "updateTarget",
      summary: "Replace a target's settings (If-Match guards against lost updates: 412)",
      auth: true,
      handle: async (request) => {
        const id = pathId(request.params.targetId, "targetId");
        const expected = parseOr400(IfMatch, request.headers["if-match"], "If-Match header");
        const input = parseOr400(UpdateTargetInput, readJsonBody(request), "target");
        const target = await targets.update(id, input, expected);
        return json(200, target, { etag: `"${target.version}"` });
      },
    },
    {
      method: "DELETE",
      path: "/v1/targets/{targetId}",
      operationId: "deleteTarget",
      summary: "Delete a target; with backups, choose ?backups=keep or ?backups=expire",
      auth: true,
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
