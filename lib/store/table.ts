import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";

/**
 * The one DynamoDB table (single-table design). This definition is the only source of
 * truth for keys, indexes, TTL and stream settings: the local runtime and tests create
 * the table from {@link createTableInput}, and `stacks/storage.ts` builds the AWS table
 * from {@link TABLE}.
 *
 * Generic keys: `pk`/`sk` on every item, and four sparse GSIs:
 * - `gsi1` — by parent, newest first: a target's backups, the list of targets.
 * - `gsi2` — by status: backups in a given status, newest first.
 * - `gsi3` — by time: all backups newest first; later due expiry markers and due policies.
 * - `gsi4` — the outbox: items with domain events not yet published (lib/store/outbox.ts).
 */
export const TABLE = {
  hashKey: "pk",
  rangeKey: "sk",
  attributes: {
    pk: "S",
    sk: "S",
    gsi1pk: "S",
    gsi1sk: "S",
    gsi2pk: "S",
    gsi2sk: "S",
    gsi3pk: "S",
    gsi3sk: "S",
    gsi4pk: "S",
    gsi4sk: "S",
  },
  indexes: {
    gsi1: { hashKey: "gsi1pk", rangeKey: "gsi1sk" },
    gsi2: { hashKey: "gsi2pk", rangeKey: "gsi2sk" },
    gsi3: { hashKey: "gsi3pk", rangeKey: "gsi3sk" },
    gsi4: { hashKey: "gsi4pk", rangeKey: "gsi4sk" },
  },
  /** Epoch seconds; DynamoDB deletes the item some time after it passes. */
  ttlAttribute: "ttl",
  stream: "NEW_AND_OLD_IMAGES",
} as const;

export type IndexName = keyof typeof TABLE.indexes;

/**
 * A `CreateTable` request for {@link TABLE} (on-demand billing, stream on).
 *
 * @example await client.send(new CreateTableCommand(createTableInput("warden")));
 */
export function createTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: Object.entries(TABLE.attributes).map(
      ([AttributeName, AttributeType]) => ({
        AttributeName,
        AttributeType,
      }),
    ),
    KeySchema: [
      { AttributeName: TABLE.hashKey, KeyType: "HASH" },
      { AttributeName: TABLE.rangeKey, KeyType: "RANGE" },
    ],
    GlobalSecondaryIndexes: Object.entries(TABLE.indexes).map(([IndexName, keys]) => ({
      IndexName,
      KeySchema: [
        { AttributeName: keys.hashKey, KeyType: "HASH" },
        { AttributeName: keys.rangeKey, KeyType: "RANGE" },
      ],
      Projection: { ProjectionType: "ALL" },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: TABLE.stream },
  };
}

/**
 * Who DynamoDB TTL says it is on the stream records of the items it expired: the
 * stream subscription's filter and the handler both match on it.
 */
export const TTL_PRINCIPAL = { type: "Service", principalId: "dynamodb.amazonaws.com" } as const;
