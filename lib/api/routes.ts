import * as z from "zod";
import { CreateBackupInput } from "../core/backup.ts";
import { ValidationError } from "../core/errors.ts";
import { BackupStatus } from "../core/status.ts";
import { CreateTargetInput } from "../core/target.ts";
import type { BackupService } from "../usecases/backups.ts";
import type { TargetService } from "../usecases/targets.ts";
import { json, parseOr400, readJsonBody } from "./http.ts";
import type { Route } from "./router.ts";

/** What the API needs. */
export interface ApiDeps {
  targets: TargetService;
  backups: BackupService;
  version: string;
}

const Limit = z.coerce.number().int().min(1).max(100).default(50);
const ListQuery = z.object({ limit: Limit, cursor: z.string().max(2048).optional() });
const BackupListQuery = ListQuery.extend({
  targetId: z.string().max(64).optional(),
  status: BackupStatus.optional(),
});
const IdempotencyKey = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,128}$/, "1-128 characters of A-Za-z0-9_.:-")
  .optional();
const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "an id");

function id(value: string | undefined, name: string): string {
  const result = Id.safeParse(value);
  if (!result.success)
    throw new ValidationError(`invalid ${name}`, [{ path: name, message: "not a valid id" }]);
  return result.data;
}

/** The `/v1` routes. */
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
    {
      method: "POST",
      path: "/v1/targets",
      operationId: "createTarget",
      summary: "Register a target (one vendor resource to back up)",
      auth: true,
      handle: async (request) => {
        const input = parseOr400(CreateTargetInput, readJsonBody(request), "target");
        const target = await deps.targets.create(input);
        return json(201, target, { location: `/v1/targets/${target.id}` });
      },
    },
    {
      method: "GET",
      path: "/v1/targets",
      operationId: "listTargets",
      summary: "List targets, newest first",
      auth: true,
      handle: async (request) =>
        json(200, await deps.targets.list(parseOr400(ListQuery, request.query, "query"))),
    },
    {
      method: "GET",
      path: "/v1/targets/{targetId}",
      operationId: "getTarget",
      summary: "Read one target",
      auth: true,
      handle: async (request) =>
        json(200, await deps.targets.get(id(request.params.targetId, "targetId"))),
    },
    {
      method: "POST",
      path: "/v1/targets/{targetId}/backups",
      operationId: "createBackup",
      summary: "Start an on-demand backup (honours Idempotency-Key)",
      auth: true,
      handle: async (request) => {
        const targetId = id(request.params.targetId, "targetId");
        const key = parseOr400(
          IdempotencyKey,
          request.headers["idempotency-key"],
          "Idempotency-Key header",
        );
        const input = parseOr400(CreateBackupInput, readJsonBody(request), "backup request");
        const { record, created } = await deps.backups.request(targetId, input, key);
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
      handle: async (request) =>
        json(200, await deps.backups.list(parseOr400(BackupListQuery, request.query, "query"))),
    },
    {
      method: "GET",
      path: "/v1/backups/{backupId}",
      operationId: "getBackup",
      summary: "Read one backup",
      auth: true,
      handle: async (request) =>
        json(200, await deps.backups.get(id(request.params.backupId, "backupId"))),
    },
    {
      method: "DELETE",
      path: "/v1/backups/{backupId}",
      operationId: "deleteBackup",
      summary: "Delete a backup at the vendor; the record stays as a tombstone",
      auth: true,
      handle: async (request) => {
        const record = await deps.backups.requestDeletion(
          id(request.params.backupId, "backupId"),
          "api",
        );
        return json(202, record);
      },
    },
  ];
}
