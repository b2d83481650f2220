import * as z from "zod";
import { CreatePolicyInput, UpdatePolicyInput } from "../../core/policy.ts";
import type { PolicyService } from "../../usecases/policies.ts";
import type { RetentionService } from "../../usecases/retention.ts";
import { json, parseOr400, readJsonBody } from "../http.ts";
import { IdempotencyKey, IfMatch, ListQuery, pathId } from "../params.ts";
import type { Route } from "../router.ts";
import { PolicyOut, pageOf } from "../schemas.ts";

const PlanOut = z.object({
  policyId: z.string(),
  at: z.string(),
  removeAfter: z.string(),
  targets: z.array(
    z.object({
      targetId: z.string(),
      keep: z.array(
        z.object({ id: z.string(), createdAt: z.string(), reasons: z.array(z.string()) }),
      ),
      remove: z.array(z.object({ id: z.string(), createdAt: z.string() })),
      guarded: z.array(z.object({ id: z.string(), guard: z.string(), detail: z.string() })),
    }),
  ),
});

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
      doc: {
        body: CreatePolicyInput,
        headers: {
          "Idempotency-Key": {
            schema: IdempotencyKey,
            description: "Repeat-safe: the same key and body return the first result",
          },
        },
        responses: { 201: { description: "The policy", schema: PolicyOut } },
        errors: {
          409: "A policy with this id exists",
          422: "Invalid schedule, unknown target, empty retention, or Idempotency-Key reused",
        },
      },
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
      doc: {
        query: ListQuery,
        responses: { 200: { description: "A page of policies", schema: pageOf(PolicyOut) } },
      },
      handle: async (request) =>
        json(200, await policies.list(parseOr400(ListQuery, request.query, "query"))),
    },
    {
      method: "GET",
      path: "/v1/policies/{policyId}",
      operationId: "getPolicy",
      summary: "Read one policy",
      auth: true,
      doc: {
        responses: { 200: { description: "The policy", schema: PolicyOut } },
        errors: { 404: "No such policy" },
      },
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
      doc: {
        body: UpdatePolicyInput,
        headers: { "If-Match": { schema: IfMatch, description: "The version from the ETag" } },
        responses: { 200: { description: "The updated policy", schema: PolicyOut } },
        errors: {
          404: "No such policy",
          412: "Changed meanwhile (If-Match)",
          422: "Invalid schedule, unknown target or empty retention",
        },
      },
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
            schema: PlanOut,
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
