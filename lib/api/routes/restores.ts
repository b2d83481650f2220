import * as z from "zod";
import { RestoreOverwrite, RestoreRecord, RestoreStatus } from "../../core/restore.ts";
import { RestoreRequestInput, type RestoreService } from "../../usecases/restores.ts";
import { json, parseOr400, readJsonBody } from "../http.ts";
import { callerOf, IDEMPOTENCY_HEADER, idempotencyKeyOf, ListQuery, pathId } from "../params.ts";
import type { Route } from "../router.ts";
import { pageOf } from "../schemas.ts";

const RestoreListQuery = ListQuery.extend({
  backupId: z.string().max(64).optional(),
  status: RestoreStatus.optional(),
});

/** `?dryRun=true` previews; anything else (or nothing) restores. */
const RestoreQuery = z.object({ dryRun: z.enum(["true", "false"]).optional() }).strict();

const PreviewOut = z.object({
  backupId: z.string(),
  targetId: z.string(),
  provider: z.string(),
  destination: z.record(z.string(), z.unknown()),
  restoresInto: z.enum(["new", "existing"]),
  overwrites: RestoreOverwrite.optional(),
  confirmationToken: z.string().optional(),
  expiresAt: z.iso.datetime().optional(),
});

/** `/v1/backups/{id}/restores` and `/v1/restores`. */
export function restoreRoutes(restores: RestoreService): Route[] {
  return [
    {
      method: "POST",
      path: "/v1/backups/{backupId}/restores",
      operationId: "restoreBackup",
      summary:
        "Restore a backup to a destination (202, the restore PENDING); `?dryRun=true` previews it and, when it overwrites, returns the confirmation token the real request must carry",
      auth: true,
      doc: {
        body: RestoreRequestInput,
        query: RestoreQuery,
        headers: IDEMPOTENCY_HEADER,
        responses: {
          200: {
            description: "The preview (dryRun=true): nothing was changed",
            schema: PreviewOut,
          },
          202: { description: "Accepted: the restore record (PENDING)", schema: RestoreRecord },
        },
        errors: {
          404: "No such backup",
          409: "The backup is not AVAILABLE, already being restored, or the destination is busy",
          422: "Invalid destination (for this vendor), or a confirmation token not valid here",
          428: "The restore overwrites an existing resource: preview it and send the token",
        },
      },
      handle: async (request) => {
        const backupId = pathId(request.params.backupId, "backupId");
        const dryRun = parseOr400(RestoreQuery, request.query, "query").dryRun === "true";
        const input = parseOr400(RestoreRequestInput, readJsonBody(request), "restore request");
        if (dryRun) return json(200, await restores.preview(backupId, input, callerOf(request)));
        const { record, created } = await restores.request(
          backupId,
          input,
          callerOf(request),
          idempotencyKeyOf(request.headers),
        );
        return json(202, record, {
          location: `/v1/restores/${record.id}`,
          ...(created ? {} : { "idempotent-replayed": "true" }),
        });
      },
    },
    {
      method: "GET",
      path: "/v1/restores",
      operationId: "listRestores",
      summary: "List restores newest first, of one backup and/or in one status",
      auth: true,
      doc: {
        query: RestoreListQuery,
        responses: {
          200: { description: "A page of restores, newest first", schema: pageOf(RestoreRecord) },
        },
      },
      handle: async (request) =>
        json(200, await restores.list(parseOr400(RestoreListQuery, request.query, "query"))),
    },
    {
      method: "GET",
      path: "/v1/restores/{restoreId}",
      operationId: "getRestore",
      summary: "Read one restore, with its history",
      auth: true,
      doc: {
        responses: { 200: { description: "The restore", schema: RestoreRecord } },
        errors: { 404: "No such restore" },
      },
      handle: async (request) =>
        json(200, await restores.get(pathId(request.params.restoreId, "restoreId"))),
    },
  ];
}
