import type * as z from "zod";
import { NotFoundError } from "../core/errors.ts";
import { entityOf, isConditionFailure, type Page, queryPage } from "./page.ts";
import { type RepositoryOptions, TableRepository } from "./repository.ts";
import { type EntityTable, putNew, putVersioned } from "./writes.ts";

/** How one kind of configuration entity (target, policy) sits in the table. */
export interface EntityLayout<T> {
  /** Its name in errors and in the item's `entity` tag. */
  entity: string;
  schema: z.ZodType<T>;
  key(id: string): { pk: string; sk: string };
  /** The whole item: keys, index keys, tag and the entity's fields. */
  item(value: T): Record<string, unknown>;
  /** The by-parent (gsi1) partition listing all of them, newest first. */
  listPartition: string;
}

/**
 * CRUD for configuration entities keyed by id, with conditional creates (409 on a taken
 * id), versioned replaces (412 on a lost update) and a newest-first listing Query.
 * Targets and policies differ only in their {@link EntityLayout}.
 */
export class EntityRepository<T extends { id: string }> extends TableRepository {
  readonly #layout: EntityLayout<T>;
  readonly #where: EntityTable;

  constructor(options: RepositoryOptions, layout: EntityLayout<T>) {
    super(options);
    this.#layout = layout;
    this.#where = { db: options.db, table: options.table, entity: layout.entity };
  }

  /** Stores a new entity; an existing id is a 409. */
  async create(value: T): Promise<T> {
    const valid = this.#layout.schema.parse(value);
    await putNew(this.#where, this.#layout.item(valid), valid.id);
    return valid;
  }

  /** Replaces an entity if its stored version is still `expectedVersion` (else 412). */
  async replace(value: T, expectedVersion: number): Promise<T> {
    const valid = this.#layout.schema.parse(value);
    const exists = async () => (await this.find(valid.id)) !== undefined;
    await putVersioned(this.#where, this.#layout.item(valid), valid.id, expectedVersion, exists);
    return valid;
  }

  /** Deletes an entity; an unknown id is a 404. */
  async delete(id: string): Promise<void> {
    try {
      await this.db.delete({
        TableName: this.table,
        Key: this.#layout.key(id),
        ConditionExpression: "attribute_exists(pk)",
      });
    } catch (error) {
      if (isConditionFailure(error)) throw new NotFoundError(this.#layout.entity, id);
      throw error;
    }
  }

  /** The entity, or undefined. */
  async find(id: string): Promise<T | undefined> {
    const result = await this.db.get({
      TableName: this.table,
      Key: this.#layout.key(id),
      ConsistentRead: true,
    });
    return result.Item ? this.#layout.schema.parse(entityOf(result.Item)) : undefined;
  }

  /** The entity, or {@link NotFoundError}. */
  async get(id: string): Promise<T> {
    const value = await this.find(id);
    if (!value) throw new NotFoundError(this.#layout.entity, id);
    return value;
  }

  /** All of them, every page (for entities there are few of: policies). */
  async all(): Promise<T[]> {
    const all: T[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.list({ limit: 100, cursor });
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return all;
  }

  /** All of them, newest first, a page at a time. */
  list(options: { limit?: number; cursor?: string } = {}): Promise<Page<T>> {
    return queryPage(
      this.db,
      {
        table: this.table,
        index: "gsi1",
        hashAttribute: "gsi1pk",
        hashValue: this.#layout.listPartition,
        limit: options.limit ?? 50,
        cursor: options.cursor,
      },
      (item) => this.#layout.schema.parse(item),
    );
  }
}
