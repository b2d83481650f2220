import type { QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import { ValidationError } from "../core/errors.ts";
import type { TableClient } from "./client.ts";
import { LAYOUT_ATTRIBUTES } from "./keys.ts";

/** One page of a listing and the opaque cursor of the next one. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** DynamoDB's key limits: 2048 bytes for a partition key, 1024 for a sort key. */
const KeyPart = z.string().min(1).max(1024);

/** Encodes DynamoDB's LastEvaluatedKey as an opaque, URL-safe cursor. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString("base64url") : undefined;
}

/** Where a cursor may lead: the index partition being listed, within the listing's range. */
export interface CursorScope {
  /** The index's partition key attribute and the partition listed. */
  attribute: string;
  value: string;
  /** The index's sort key attribute, and the range the listing asked for. */
  sortAttribute: string;
  range?: { from?: string; to?: string };
}

/**
 * Decodes a cursor made by {@link encodeCursor}. DynamoDB takes only a whole key of the
 * index being read (table pk and sk, index pk and sk) inside the query's own bounds; a
 * tampered, partial or foreign cursor is a 400 here, never a 500 from DynamoDB.
 */
export function decodeCursor(
  cursor: string | undefined,
  scope: CursorScope,
): Record<string, string> | undefined {
  if (cursor === undefined) return undefined;
  const invalid = (message: string) =>
    new ValidationError("invalid cursor", [{ path: "cursor", message }]);
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalid("not a cursor of this listing");
  }
  const parsed = z
    .strictObject({
      pk: KeyPart,
      sk: KeyPart,
      [scope.attribute]: z.literal(scope.value),
      [scope.sortAttribute]: KeyPart,
    })
    .safeParse(decoded);
  if (!parsed.success) throw invalid("not a cursor of this listing");
  const key = parsed.data as Record<string, string>;
  const position = key[scope.sortAttribute] as string;
  const { from, to } = scope.range ?? {};
  // The same bounds as the query's (see rangeCondition and its "~").
  if ((from && position < from) || (to && position > `${to}~`))
    throw invalid("the cursor lies outside the range asked for");
  return key;
}

/** Drops the table-layout attributes so the entity schema can parse the rest. */
export function entityOf(item: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...item };
  for (const attribute of LAYOUT_ATTRIBUTES) delete copy[attribute];
  return copy;
}

/** Whether an SDK error is a failed condition (a lost race or a forbidden write). */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}

/**
 * Runs a conditional write and says whether its condition held: a failed condition (a lost
 * race, a record that moved on) is `false`, any other error is thrown.
 *
 * @example const won = await conditionHeld(() => db.put({ …, ConditionExpression: "attribute_not_exists(pk)" }));
 */
export async function conditionHeld(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * The items of a sparse "due" partition (`gsi3pk = partition`, `gsi3sk = <instant>#<id>`)
 * that are due at or before `now`, earliest first — a Query, never a Scan.
 */
export async function dueItems(
  db: TableClient,
  table: string,
  partition: string,
  now: Date,
  limit: number,
): Promise<Record<string, unknown>[]> {
  for await (const page of dueItemPages(db, table, partition, now, limit)) return page;
  return [];
}

/**
 * Every item of a due index partition at or before `now`, a page at a time, earliest
 * first: the caller handles a page before the next is read, so a long list never sits
 * in memory at once and a crash loses only the page under way.
 */
export async function* dueItemPages(
  db: TableClient,
  table: string,
  partition: string,
  now: Date,
  pageSize: number,
): AsyncGenerator<Record<string, unknown>[]> {
  let start: Record<string, unknown> | undefined;
  do {
    const result = await db.query({
      TableName: table,
      IndexName: "gsi3",
      KeyConditionExpression: "gsi3pk = :pk AND gsi3sk <= :upTo",
      ExpressionAttributeValues: { ":pk": partition, ":upTo": `${now.toISOString()}#~` },
      Limit: pageSize,
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    const items = (result.Items ?? []).map(entityOf);
    if (items.length > 0) yield items;
    start = result.LastEvaluatedKey;
  } while (start);
}

function rangeCondition(range: { from?: string; to?: string } | undefined): string {
  if (range?.from && range.to) return " AND #r BETWEEN :from AND :to";
  if (range?.from) return " AND #r >= :from";
  if (range?.to) return " AND #r <= :to";
  return "";
}

/**
 * Runs one Query page on an index partition, newest first, and parses every item.
 */
export async function queryPage<T>(
  db: TableClient,
  input: {
    table: string;
    index: string;
    hashAttribute: string;
    hashValue: string;
    limit: number;
    cursor?: string;
    /** A range on the index's sort key (inclusive bounds; sort keys start with a time). */
    range?: { attribute: string; from?: string; to?: string };
    filter?: Pick<
      QueryCommandInput,
      "FilterExpression" | "ExpressionAttributeNames" | "ExpressionAttributeValues"
    >;
  },
  parse: (item: Record<string, unknown>) => T,
): Promise<Page<T>> {
  const start = decodeCursor(input.cursor, {
    attribute: input.hashAttribute,
    value: input.hashValue,
    sortAttribute: input.range?.attribute ?? input.hashAttribute.replace(/pk$/, "sk"),
    range: input.range,
  });
  const result = await db.query({
    TableName: input.table,
    IndexName: input.index,
    KeyConditionExpression: `#h = :h${rangeCondition(input.range)}`,
    ScanIndexForward: false,
    Limit: input.limit,
    ExclusiveStartKey: start,
    ...input.filter,
    ExpressionAttributeNames: {
      "#h": input.hashAttribute,
      ...(input.range && (input.range.from || input.range.to)
        ? { "#r": input.range.attribute }
        : {}),
      ...input.filter?.ExpressionAttributeNames,
    },
    ExpressionAttributeValues: {
      ":h": input.hashValue,
      ...(input.range?.from ? { ":from": input.range.from } : {}),
      // "~" sorts after every id character, so the bound includes the whole instant.
      ...(input.range?.to ? { ":to": `${input.range.to}~` } : {}),
      ...input.filter?.ExpressionAttributeValues,
    },
  });
  const items = (result.Items ?? []).map((item) => parse(entityOf(item)));
  const nextCursor = encodeCursor(result.LastEvaluatedKey);
  return nextCursor ? { items, nextCursor } : { items };
}
