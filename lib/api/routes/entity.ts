import type * as z from "zod";
import type { Page } from "../../store/page.ts";
import { json, parseOr400, readJsonBody } from "../http.ts";
import {
  createdHeaders,
  etagOf,
  IDEMPOTENCY_HEADER,
  IF_MATCH_HEADER,
  idempotencyKeyOf,
  ifMatchOf,
  ListQuery,
  pathId,
} from "../params.ts";
import type { Route } from "../router.ts";
import { pageOf } from "../schemas.ts";

/** What a configuration entity's service offers the four routes every entity has. */
export interface EntityService<T, C, U> {
  create(input: C, idempotencyKey?: string): Promise<{ entity: T; created: boolean }>;
  list(query: { limit?: number; cursor?: string }): Promise<Page<T>>;
  get(id: string): Promise<T>;
  update(id: string, input: U, expectedVersion?: number): Promise<T>;
}

/** How one entity is named and shaped in the API. */
export interface EntitySpec<T, C, U> {
  /** `target`, `policy`: in summaries, errors and operation ids. */
  name: string;
  /** `Target`, `Policy`: in operation ids (`createTarget`, `getTarget`…). */
  type: string;
  /** `targets`, `policies` (and `Targets`, `Policies` in `listTargets`…). */
  plural: string;
  /** `/v1/targets` */
  path: string;
  /** `targetId` */
  idParam: string;
  create: z.ZodType<C>;
  update: z.ZodType<U>;
  out: z.ZodType;
  createSummary: string;
  updateSummary: string;
  /** Errors of the create and replace routes beyond the shared ones. */
  createErrors: Record<number, string>;
  updateErrors: Record<number, string>;
  service: EntityService<T, C, U>;
}

/**
 * The create, list, read and replace routes every configuration entity has (targets,
 * policies), alike in everything but names and schemas: an Idempotency-Key on create, an
 * ETag on every read, If-Match on replace.
 */
export function entityRoutes<T extends { id: string; version: number }, C, U>(
  spec: EntitySpec<T, C, U>,
): Route[] {
  const one = `${spec.path}/{${spec.idParam}}`;
  const idOf = (params: Record<string, string | undefined>) =>
    pathId(params[spec.idParam], spec.idParam);
  return [
    {
      method: "POST",
      path: spec.path,
      operationId: `create${spec.type}`,
      summary: spec.createSummary,
      auth: true,
      doc: {
        body: spec.create,
        headers: IDEMPOTENCY_HEADER,
        responses: { 201: { description: `The ${spec.name}`, schema: spec.out } },
        errors: { 409: `A ${spec.name} with this id exists`, ...spec.createErrors },
      },
      handle: async (request) => {
        const key = idempotencyKeyOf(request.headers);
        const input = parseOr400(spec.create, readJsonBody(request), spec.name);
        const { entity: value, created } = await spec.service.create(input, key);
        return json(201, value, createdHeaders(`${spec.path}/${value.id}`, value.version, created));
      },
    },
    {
      method: "GET",
      path: spec.path,
      operationId: `list${spec.plural.charAt(0).toUpperCase()}${spec.plural.slice(1)}`,
      summary: `List ${spec.plural}, newest first`,
      auth: true,
      doc: {
        query: ListQuery,
        responses: { 200: { description: `A page of ${spec.plural}`, schema: pageOf(spec.out) } },
      },
      handle: async (request) =>
        json(200, await spec.service.list(parseOr400(ListQuery, request.query, "query"))),
    },
    {
      method: "GET",
      path: one,
      operationId: `get${spec.type}`,
      summary: `Read one ${spec.name}`,
      auth: true,
      doc: {
        responses: { 200: { description: `The ${spec.name}`, schema: spec.out } },
        errors: { 404: `No such ${spec.name}` },
      },
      handle: async (request) => {
        const value = await spec.service.get(idOf(request.params));
        return json(200, value, etagOf(value.version));
      },
    },
    {
      method: "PUT",
      path: one,
      operationId: `update${spec.type}`,
      summary: spec.updateSummary,
      auth: true,
      doc: {
        body: spec.update,
        headers: IF_MATCH_HEADER,
        responses: { 200: { description: `The updated ${spec.name}`, schema: spec.out } },
        errors: {
          404: `No such ${spec.name}`,
          412: "Changed meanwhile (If-Match)",
          ...spec.updateErrors,
        },
      },
      handle: async (request) => {
        const id = idOf(request.params);
        const expected = ifMatchOf(request.headers);
        const input = parseOr400(spec.update, readJsonBody(request), spec.name);
        const value = await spec.service.update(id, input, expected);
        return json(200, value, etagOf(value.version));
      },
    },
  ];
}
