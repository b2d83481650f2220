import * as z from "zod";
import { CreateTargetInput, UpdateTargetInput } from "../../core/target.ts";
import type { TargetService } from "../../usecases/targets.ts";
import { json, parseOr400, readJsonBody } from "../http.ts";
import { IdempotencyKey, IfMatch, ListQuery, pathId } from "../params.ts";
import type { Route } from "../router.ts";
import { pageOf, TargetOut } from "../schemas.ts";

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
    {
      method: "POST",
      path: "/v1/targets",
      operationId: "createTarget",
      summary: "Register a target (one vendor resource to back up)",
      auth: true,
      doc: {
        body: CreateTargetInput,
        headers: {
          "Idempotency-Key": {
            schema: IdempotencyKey,
            description: "Repeat-safe: the same key and body return the first result",
          },
        },
        responses: { 201: { description: "The target", schema: TargetOut } },
        errors: {
          409: "A target with this id exists",
          422: "Idempotency-Key reused with another body",
        },
      },
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
      doc: {
        query: ListQuery,
        responses: { 200: { description: "A page of targets", schema: pageOf(TargetOut) } },
      },
      handle: async (request) =>
        json(200, await targets.list(parseOr400(ListQuery, request.query, "query"))),
    },
    {
      method: "GET",
      path: "/v1/targets/{targetId}",
      operationId: "getTarget",
      summary: "Read one target",
      auth: true,
      doc: {
        responses: { 200: { description: "The target", schema: TargetOut } },
        errors: { 404: "No such target" },
      },
      handle: async (request) =>
        json(200, await targets.get(pathId(request.params.targetId, "targetId"))),
    },
    {
      method: "PUT",
      path: "/v1/targets/{targetId}",
      operationId: "updateTarget",
      summary: "Replace a target's settings (If-Match guards against lost updates: 412)",
      auth: true,
      doc: {
        body: UpdateTargetInput,
        headers: { "If-Match": { schema: IfMatch, description: "The version from the ETag" } },
        responses: { 200: { description: "The updated target", schema: TargetOut } },
        errors: {
          404: "No such target",
          409: "The target is being deleted",
          412: "Changed meanwhile (If-Match)",
          422: "The vendor cannot change",
        },
      },
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
