import * as z from "zod";
import { CreateBackupInput, HistoryEntry } from "../../core/backup.ts";
import { BackupStatus } from "../../core/status.ts";
import type { BackupService } from "../../usecases/backups.ts";
import { json, parseOr400, readJsonBody } from "../http.ts";
import {
  callerOf,
  IDEMPOTENCY_HEADER,
  Instant,
  idempotencyKeyOf,
  ListQuery,
  pathId,
} from "../params.ts";
import type { Route } from "../router.ts";
import { BackupOut, pageOf } from "../schemas.ts";

const BackupListQuery = ListQuery.extend({
  targetId: z.string().max(64).optional(),
  status: BackupStatus.optional(),
  policyId: z.string().max(64).optional(),
  createdAfter: Instant.optional(),
  createdBefore: Instant.optional(),
});

const HoldInput = z.object({ reason: z.string().trim().min(1).max(500) }).strict();
const HistoryOut = z.object({
  backupId: z.string(),
  status: BackupStatus,
  history: z.array(HistoryEntry),
});

/** `/v1/backups` and on-demand backups of a target. */
export function backupRoutes(backups: BackupService): Route[] {
  return [
    {
      method: "POST",
      path: "/v1/targets/{targetId}/backups",
      operationId: "createBackup",
      summary: "Start an on-demand backup (honours Idempotency-Key)",
      auth: true,
      doc: {
        body: CreateBackupInput,
        headers: IDEMPOTENCY_HEADER,
        responses: {
          202: { description: "Accepted: the backup record (PENDING)", schema: BackupOut },
        },
        errors: {
          404: "No such target",
          409: "Another backup of the same vendor resource is running",
          422: "Idempotency-Key reused with another body",
        },
      },
      handle: async (request) => {
        const targetId = pathId(request.params.targetId, "targetId");
        const key = idempotencyKeyOf(request.headers);
        const input = parseOr400(CreateBackupInput, readJsonBody(request), "backup request");
        const { record, created } = await backups.request(targetId, input, key);
        return json(202, record, {
          location: `/v1/backups/${record.id}`,
          ...(created ? {} : { "idempotent-replayed": "true" }),
        });
      },
    },
    {
      method: "GET",
      path: "/v1/backups",
      operationId: "listBackups",
      summary: "List backups newest first, by target and/or status",
      auth: true,
      doc: {
        query: BackupListQuery,
        responses: {
          200: { description: "A page of backups, newest first", schema: pageOf(BackupOut) },
        },
      },
      handle: async (request) =>
        json(200, await backups.list(parseOr400(BackupListQuery, request.query, "query"))),
    },
    {
      method: "GET",
      path: "/v1/backups/{backupId}",
      operationId: "getBackup",
      summary: "Read one backup",
      auth: true,
      doc: {
        responses: { 200: { description: "The backup", schema: BackupOut } },
        errors: { 404: "No such backup" },
      },
      handle: async (request) =>
        json(200, await backups.get(pathId(request.params.backupId, "backupId"))),
    },
    {
      method: "DELETE",
      path: "/v1/backups/{backupId}",
      operationId: "deleteBackup",
      summary: "Delete a backup at the vendor; the record stays as a tombstone",
      auth: true,
      doc: {
        responses: {
          202: { description: "Accepted: DELETING (or already DELETED)", schema: BackupOut },
        },
        errors: { 404: "No such backup", 409: "On legal hold, or still being created" },
      },
      handle: async (request) =>
        json(
          202,
          await backups.requestDeletion(
            pathId(request.params.backupId, "backupId"),
            `api (${callerOf(request)})`,
          ),
        ),
    },
    {
      method: "POST",
      path: "/v1/backups/{backupId}/cancel",
      operationId: "cancelBackup",
      summary:
        "Cancel a backup still being made: FAILED (CANCELLED), the resource's lease released, the vendor side cleaned up",
      auth: true,
      doc: {
        responses: {
          200: { description: "The backup, FAILED with code CANCELLED", schema: BackupOut },
        },
        errors: { 404: "No such backup", 409: "Already settled (AVAILABLE, FAILED, deleted…)" },
      },
      handle: async (request) =>
        json(
          200,
          await backups.cancel(pathId(request.params.backupId, "backupId"), callerOf(request)),
        ),
    },
    {
      method: "PUT",
      path: "/v1/backups/{backupId}/hold",
      operationId: "holdBackup",
      summary: "Place a legal hold: the backup is never deleted while held",
      auth: true,
      doc: {
        body: HoldInput,
        responses: { 200: { description: "The backup, held", schema: BackupOut } },
        errors: { 404: "No such backup", 409: "Already being deleted" },
      },
      handle: async (request) => {
        const id = pathId(request.params.backupId, "backupId");
        const { reason } = parseOr400(HoldInput, readJsonBody(request), "hold");
        return json(200, await backups.hold(id, reason, callerOf(request)));
      },
    },
    {
      method: "DELETE",
      path: "/v1/backups/{backupId}/hold",
      operationId: "unholdBackup",
      summary:
        "Lift a legal hold (audited: who and when go into the history, and backup.hold_lifted is announced)",
      auth: true,
      doc: {
        responses: { 200: { description: "The backup, no longer held", schema: BackupOut } },
        errors: { 404: "No such backup" },
      },
      handle: async (request) =>
        json(
          200,
          await backups.unhold(pathId(request.params.backupId, "backupId"), callerOf(request)),
        ),
    },
    {
      method: "GET",
      path: "/v1/backups/{backupId}/history",
      operationId: "getBackupHistory",
      summary: "Every status transition of a backup, with time and cause",
      auth: true,
      doc: {
        responses: {
          200: { description: "Every status transition with time and cause", schema: HistoryOut },
        },
        errors: { 404: "No such backup" },
      },
      handle: async (request) => {
        const record = await backups.get(pathId(request.params.backupId, "backupId"));
        return json(200, { backupId: record.id, status: record.status, history: record.history });
      },
    },
  ];
}
