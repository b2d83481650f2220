import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DeleteCommand, GetCommand } from "@aws-sdk/lib-dynamodb";
import { NotFoundError } from "../core/errors.ts";
import { Target } from "../core/target.ts";
import { Keys } from "./keys.ts";
import { entityOf, isConditionFailure, type Page, queryPage } from "./page.ts";
import { type EntityTable, putNew, putVersioned } from "./writes.ts";

const parse = (item: Record<string, unknown>) => Target.parse(item);

function itemOf(target: Target) {
  return {
    ...Keys.target(target.id),
    ...Keys.targetIndex(target.createdAt, target.id),
    entity: "target",
    ...target,
  };
}

/** Registered targets. */
export class TargetRepository {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #where: EntityTable;

  constructor(options: { db: DynamoDBDocumentClient; table: string }) {
    this.#db = options.db;
    this.#table = options.table;
    this.#where = { db: options.db, table: options.table, entity: "target" };
  }

  /** Stores a new target; an existing id is a 409. */
  async create(target: Target): Promise<Target> {
    const valid = Target.parse(target);
    await putNew(this.#where, itemOf(valid), valid.id);
    return valid;
  }

  /** Replaces a target if its stored version is still `expectedVersion` (else 412). */
  async replace(target: Target, expectedVersion: number): Promise<Target> {
    const valid = Target.parse(target);
    await putVersioned(
      this.#where,
      itemOf(valid),
      valid.id,
      expectedVersion,
      async () => (await this.find(valid.id)) !== undefined,
    );
    return valid;
  }

  /** Deletes a target item. */
  async delete(id: string): Promise<void> {
    try {
      await this.#db.send(
        new DeleteCommand({
          TableName: this.#table,
          Key: Keys.target(id),
          ConditionExpression: "attribute_exists(pk)",
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new NotFoundError("target", id);
      throw error;
    }
  }

  /** The target, or undefined. */
  async find(id: string): Promise<Target | undefined> {
    const result = await this.#db.send(
      new GetCommand({ TableName: this.#table, Key: Keys.target(id), ConsistentRead: true }),
    );
    return result.Item ? parse(entityOf(result.Item)) : undefined;
  }

  /** The target, or {@link NotFoundError}. */
  async get(id: string): Promise<Target> {
    const target = await this.find(id);
    if (!target) throw new NotFoundError("target", id);
    return target;
  }

  /** Targets, newest first. */
  async list(options: { limit?: number; cursor?: string } = {}): Promise<Page<Target>> {
    return queryPage(
      this.#db,
      {
        table: this.#table,
        index: "gsi1",
        hashAttribute: "gsi1pk",
        hashValue: "TARGETS",
        limit: options.limit ?? 50,
        cursor: options.cursor,
      },
      parse,
    );
  }
}
