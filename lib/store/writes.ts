import { ConflictError, NotFoundError, PreconditionFailedError } from "../core/errors.ts";
import type { TableClient } from "./client.ts";
import { isConditionFailure } from "./page.ts";

/** Where an entity is written and what it is called in errors. */
export interface EntityTable {
  db: TableClient;
  table: string;
  /** e.g. "target" — used in the error messages. */
  entity: string;
}

/**
 * Writes a new item; an item with the same key is a 409, never overwritten.
 *
 * @example await putNew({ db, table, entity: "target" }, item, target.id);
 */
export async function putNew(
  where: EntityTable,
  item: Record<string, unknown>,
  id: string,
): Promise<void> {
  try {
    await where.db.put({
      TableName: where.table,
      Item: item,
      ConditionExpression: "attribute_not_exists(pk)",
    });
  } catch (error) {
    if (isConditionFailure(error))
      throw new ConflictError(`${where.entity} ${id} already exists`, { id });
    throw error;
  }
}

/**
 * Replaces an item only if its stored `version` is still `expectedVersion` (optimistic
 * concurrency): a missing item is a 404, a changed one a 412.
 */
export async function putVersioned(
  where: EntityTable,
  item: Record<string, unknown>,
  id: string,
  expectedVersion: number,
  exists: () => Promise<boolean>,
): Promise<void> {
  try {
    await where.db.put({
      TableName: where.table,
      Item: item,
      ConditionExpression: "attribute_exists(pk) AND version = :v",
      ExpressionAttributeValues: { ":v": expectedVersion },
    });
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    if (!(await exists())) throw new NotFoundError(where.entity, id);
    throw new PreconditionFailedError(where.entity, id);
  }
}
