import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DeleteCommand, GetCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { NotFoundError } from "../core/errors.ts";
import { Policy } from "../core/policy.ts";
import { Keys } from "./keys.ts";
import { entityOf, isConditionFailure, type Page, queryPage } from "./page.ts";
import { type EntityTable, putNew, putVersioned } from "./writes.ts";

const parse = (item: Record<string, unknown>) => Policy.parse(item);

/** The item for a policy: due-index keys only while it is enabled and has a next run. */
function itemOf(policy: Policy) {
  return {
    ...Keys.policy(policy.id),
    ...Keys.policyIndex(policy.createdAt, policy.id),
    ...(policy.enabled && policy.nextRunAt ? Keys.policyDue(policy.nextRunAt, policy.id) : {}),
    entity: "policy",
    ...policy,
  };
}

/**
 * Backup policies. The due index (`POLICY_DUE`, sorted by next run) is sparse: a paused
 * policy is not in it, so the dispatcher's Query only ever sees enabled, due policies.
 */
export class PolicyRepository {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #where: EntityTable;

  constructor(options: { db: DynamoDBDocumentClient; table: string }) {
    this.#db = options.db;
    this.#table = options.table;
    this.#where = { db: options.db, table: options.table, entity: "policy" };
  }

  /** Stores a new policy; a taken id is a 409. */
  async create(policy: Policy): Promise<Policy> {
    const valid = Policy.parse(policy);
    await putNew(this.#where, itemOf(valid), valid.id);
    return valid;
  }

  /** Replaces a policy if its stored version is still `expectedVersion` (else 412). */
  async replace(policy: Policy, expectedVersion: number): Promise<Policy> {
    const valid = Policy.parse(policy);
    await putVersioned(
      this.#where,
      itemOf(valid),
      valid.id,
      expectedVersion,
      async () => (await this.find(valid.id)) !== undefined,
    );
    return valid;
  }

  async find(id: string): Promise<Policy | undefined> {
    const result = await this.#db.send(
      new GetCommand({ TableName: this.#table, Key: Keys.policy(id), ConsistentRead: true }),
    );
    return result.Item ? parse(entityOf(result.Item)) : undefined;
  }

  async get(id: string): Promise<Policy> {
    const policy = await this.find(id);
    if (!policy) throw new NotFoundError("policy", id);
    return policy;
  }

  async delete(id: string): Promise<void> {
    try {
      await this.#db.send(
        new DeleteCommand({
          TableName: this.#table,
          Key: Keys.policy(id),
          ConditionExpression: "attribute_exists(pk)",
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new NotFoundError("policy", id);
      throw error;
    }
  }

  /** Policies, newest first. */
  list(options: { limit?: number; cursor?: string } = {}): Promise<Page<Policy>> {
    return queryPage(
      this.#db,
      {
        table: this.#table,
        index: "gsi1",
        hashAttribute: "gsi1pk",
        hashValue: "POLICIES",
        limit: options.limit ?? 50,
        cursor: options.cursor,
      },
      parse,
    );
  }

  /** Enabled policies whose next run is at or before `now`, earliest first (a Query, never a Scan). */
  async due(now: Date, limit = 100): Promise<Policy[]> {
    const result = await this.#db.send(
      new QueryCommand({
        TableName: this.#table,
        IndexName: "gsi3",
        KeyConditionExpression: "gsi3pk = :pk AND gsi3sk <= :upTo",
        ExpressionAttributeValues: { ":pk": "POLICY_DUE", ":upTo": `${now.toISOString()}#~` },
        Limit: limit,
      }),
    );
    return (result.Items ?? []).map((item) => parse(entityOf(item)));
  }

  /**
   * Moves a policy's next run from `from` to `to`, only if it is still `from`: of two
   * dispatchers acting on the same tick, one advances and the other is told it lost.
   */
  async advance(id: string, from: string, to: string): Promise<boolean> {
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: Keys.policy(id),
          UpdateExpression: "SET nextRunAt = :to, gsi3sk = :sk",
          ConditionExpression: "nextRunAt = :from AND enabled = :on",
          ExpressionAttributeValues: {
            ":to": to,
            ":from": from,
            ":sk": `${to}#${id}`,
            ":on": true,
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
