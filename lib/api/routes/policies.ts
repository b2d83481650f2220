import { CreatePolicyInput, UpdatePolicyInput } from "../../core/policy.ts";
import type { PolicyService } from "../../usecases/policies.ts";
import type { RetentionService } from "../../usecases/retention.ts";
import { json } from "../http.ts";
import { pathId } from "../params.ts";
import type { Route } from "../router.ts";
import { PolicyOut, RetentionPlanOut } from "../schemas.ts";
import { entityRoutes } from "./entity.ts";

/** `/v1/policies` */
export function policyRoutes(policies: PolicyService, retention: RetentionService): Route[] {
  return [
    ...entityRoutes({
      name: "policy",
      type: "Policy",
      plural: "policies",
      path: "/v1/policies",
      idParam: "policyId",
      create: CreatePolicyInput,
      update: UpdatePolicyInput,
      out: PolicyOut,
      createSummary: "Create a backup policy (schedule, targets, retention, notifications)",
      updateSummary: "Replace a policy (If-Match guards against lost updates: 412)",
      createErrors: {
        422: "Invalid schedule, unknown target, empty retention, or Idempotency-Key reused",
      },
      updateErrors: { 422: "Invalid schedule, unknown target or empty retention" },
      service: policies,
    }),
    {
      method: "DELETE",
      path: "/v1/policies/{policyId}",
      operationId: "deletePolicy",
      summary: "Delete a policy; its backups stay",
      auth: true,
      doc: {
        responses: { 204: { description: "Deleted; its backups stay" } },
        errors: { 404: "No such policy" },
      },
      handle: async (request) => {
        await policies.delete(pathId(request.params.policyId, "policyId"));
        return { status: 204, headers: {} };
      },
    },
    {
      method: "GET",
      path: "/v1/policies/{policyId}/retention-plan",
      operationId: "previewRetention",
      summary:
        "Preview what the policy's retention keeps (with reasons) and removes, guards applied",
      auth: true,
      doc: {
        responses: {
          200: {
            description: "Per target: kept (with reasons), removed, guarded",
            schema: RetentionPlanOut,
          },
        },
        errors: { 404: "No such policy" },
      },
      handle: async (request) => {
        const policy = await policies.get(pathId(request.params.policyId, "policyId"));
        const at = retention.now();
        const targets = await retention.planPolicy(policy, at);
        return json(200, {
          policyId: policy.id,
          at: at.toISOString(),
          // Removals happen at the next sweep or after the next successful backup, whichever is first.
          removeAfter: at.toISOString(),
          targets,
        });
      },
    },
  ];
}
