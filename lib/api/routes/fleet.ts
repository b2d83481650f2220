import * as z from "zod";
import { FreshnessStatus, TargetCompliance, UsageReport } from "../../core/compliance.ts";
import type { ComplianceService } from "../../usecases/compliance.ts";
import type { UsageService } from "../../usecases/usage.ts";
import { json, parseOr400 } from "../http.ts";
import { ListQuery } from "../params.ts";
import type { Route } from "../router.ts";
import { pageOf } from "../schemas.ts";

const ComplianceQuery = ListQuery.extend({ status: FreshnessStatus.optional() });

/** The fleet as a whole: `/v1/compliance` (freshness) and `/v1/usage` (the storage bill). */
export function fleetRoutes(compliance: ComplianceService, usage: UsageService): Route[] {
  return [
    {
      method: "GET",
      path: "/v1/compliance",
      operationId: "getCompliance",
      summary:
        "Every target against its freshness objective (RPO): objective, age of the newest good backup, newest verified backup, breach state, covering policies; a page of targets at a time (`status` filters the page)",
      auth: true,
      doc: {
        query: ComplianceQuery,
        responses: {
          200: {
            description: "A page of targets, newest registered first, assessed now",
            schema: pageOf(TargetCompliance),
          },
        },
      },
      handle: async (request) =>
        json(200, await compliance.report(parseOr400(ComplianceQuery, request.query, "query"))),
    },
    {
      method: "GET",
      path: "/v1/usage",
      operationId: "getUsage",
      summary:
        "The storage bill: bytes the vendors hold for our backups, per vendor, policy and target, and the last 30 days",
      auth: true,
      doc: {
        query: z.object({}).strict(),
        responses: {
          200: { description: "What is stored now, and day by day", schema: UsageReport },
        },
      },
      handle: async (request) => {
        parseOr400(z.object({}).strict(), request.query, "query");
        return json(200, await usage.report());
      },
    },
  ];
}
