import { CreateTargetInput } from "../../core/target.ts";
import type { TargetService } from "../../usecases/targets.ts";
import { json, parseOr400, readJsonBody } from "../http.ts";
import { ListQuery, pathId } from "../params.ts";
import type { Route } from "../router.ts";

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
        const input = parseOr400(CreateTargetInput, readJsonBody(request), "target");
        const target = await targets.create(input);
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
  ];
}
