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

const CursorKey = z.record(z.string(), z.string());

/** Encodes DynamoDB's LastEvaluatedKey as an opaque, URL-safe cursor. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString("base64url") : undefined;
}

/**
 * Decodes a cursor made by {@link encodeCursor}; a tampered or foreign cursor is a 400,
 * never a 500. `expectedPk` pins the cursor to the partition being listed.
 */
export function decodeCursor(
  cursor: string | undefined,
  expected: { attribute: string; value: string },
): Record<string, string> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key = CursorKey.parse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
    if (key[expected.attribute] !== expected.value) throw new Error("cursor of another listing");
    return key;
  } catch {
    throw new ValidationError("invalid cursor", [
      { path: "cursor", message: "not a cursor of this listing" },
    ]);
  }
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
  const result = await db.query({
    TableName: table,
    IndexName: "gsi3",
    KeyConditionExpression: "gsi3pk = :pk AND gsi3sk <= :upTo",
    ExpressionAttributeValues: { ":pk": partition, ":upTo": `${now.toISOString()}#~` },
    Limit: limit,
  });
  return (result.Items ?? []).map(entityOf);
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
