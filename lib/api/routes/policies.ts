import { CreatePolicyInput, UpdatePolicyInput } from "../../core/policy.ts";
import type { PolicyService } from "../../usecases/policies.ts";
import type { RetentionService } from "../../usecases/retention.ts";
import { json, parseOr400, readJsonBody } from "../http.ts";
import { IdempotencyKey, IfMatch, ListQuery, pathId } from "../params.ts";
import type { Route } from "../router.ts";

const etag = (version: number) => ({ etag: `"${version}"` });

/** `/v1/policies` */
export function policyRoutes(policies: PolicyService, retention: RetentionService): Route[] {
  return [
    {
      method: "POST",
      path: "/v1/policies",
      operationId: "createPolicy",
      summary: "Create a backup policy (schedule, targets, retention, notifications)",
      auth: true,
      handle: async (request) => {
        const key = parseOr400(
          IdempotencyKey,
          request.headers["idempotency-key"],
          "Idempotency-Key header",
        );
        const input = parseOr400(CreatePolicyInput, readJsonBody(request), "policy");
        const { policy, created } = await policies.create(input, key);
        return json(201, policy, {
          location: `/v1/policies/${policy.id}`,
          ...etag(policy.version),
          ...(created ? {} : { "idempotent-replayed": "true" }),
        });
      },
    },
    {
      method: "GET",
      path: "/v1/policies",
      operationId: "listPolicies",
      summary: "List policies, newest first",
      auth: true,
      handle: async (request) =>
        json(200, await policies.list(parseOr400(ListQuery, request.query, "query"))),
    },
    {
      method: "GET",
      path: "/v1/policies/{policyId}",
      operationId: "getPolicy",
      summary: "Read one policy",
      auth: true,
      handle: async (request) => {
        const policy = await policies.get(pathId(request.params.policyId, "policyId"));
        return json(200, policy, etag(policy.version));
      },
    },
    {
      method: "PUT",
      path: "/v1/policies/{policyId}",
      operationId: "updatePolicy",
      summary: "Replace a policy (If-Match guards against lost updates: 412)",
      auth: true,
      handle: async (request) => {
        const id = pathId(request.params.policyId, "policyId");
        const expected = parseOr400(IfMatch, request.headers["if-match"], "If-Match header");
        const policy = await policies.update(
          id,
          parseOr400(UpdatePolicyInput, readJsonBody(request), "policy"),
          expected,
        );
        return json(200, policy, etag(policy.version));
      },
    },
    {
      method: "DELETE",
      path: "/v1/policies/{policyId}",
      operationId: "deletePolicy",
      summary: "Delete a policy; its backups stay",
      auth: true,
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
