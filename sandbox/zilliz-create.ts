import * as z from "zod";
import { ZILLIZ_CODES, type ZillizError, zillizError } from "./zilliz-errors.ts";

/** Milvus' built-in database, used when `dbName` is omitted. */
export const DEFAULT_DB_NAME = "default";

/** What a valid Create Backup body asks for. */
export interface BackupScope {
  backupType: "CLUSTER" | "COLLECTION";
  dbName: string;
  collectionNames: string[];
}

const backupTypeSchema = z.object({ backupType: z.enum(["CLUSTER", "COLLECTION"]) });

const dbCollectionsSchema = z
  .array(
    z.object({
      dbName: z.string().min(1).optional(),
      collectionNames: z.array(z.string().min(1)).min(1),
    }),
  )
  .min(1);

/**
 * Validates a Create Backup body against the collections that exist in the cluster.
 *
 * A missing or unknown `backupType` is 96029 (documented). Every other problem is reported
 * as 96038 "failed to create backup: <reason>", the documented free-text create failure —
 * ASSUMPTION (UNCONFIRMED): the real service may use other codes for these cases.
 * `crossRegionCopies` and unknown fields are accepted and ignored.
 *
 * @param body - the parsed JSON body (`undefined` when empty or not JSON)
 * @param existing - collection names of the cluster, all in database {@link DEFAULT_DB_NAME}
 */
export function parseCreateBody(body: unknown, existing: string[]): BackupScope | ZillizError {
  const typed = backupTypeSchema.safeParse(body);
  if (!typed.success) {
    const given = (body as { backupType?: unknown } | undefined)?.backupType;
    return zillizError(
      ZILLIZ_CODES.backupTypeInvalid,
      `Invalid backupType: ${String(given)}. The value should be CLUSTER or COLLECTION.`,
    );
  }
  if (typed.data.backupType === "CLUSTER") {
    return { backupType: "CLUSTER", dbName: DEFAULT_DB_NAME, collectionNames: [...existing] };
  }
  const raw = (body as { dbCollections?: unknown }).dbCollections;
  if (raw === undefined || (Array.isArray(raw) && raw.length === 0)) {
    return createFailed("dbCollections is required when backupType is COLLECTION");
  }
  const parsed = dbCollectionsSchema.safeParse(raw);
  if (!parsed.success) {
    return createFailed(
      "dbCollections must be a list of {dbName?, collectionNames} with at least one collection name",
    );
  }
  const dbNames = new Set(parsed.data.map((entry) => entry.dbName ?? DEFAULT_DB_NAME));
  if (dbNames.size > 1) {
    return createFailed("all collections in one backup must belong to the same database");
  }
  const [dbName = DEFAULT_DB_NAME] = dbNames;
  if (dbName !== DEFAULT_DB_NAME) return createFailed(`database ${dbName} not found`);
  const collectionNames = [...new Set(parsed.data.flatMap((entry) => entry.collectionNames))];
  const missing = collectionNames.find((name) => !existing.includes(name));
  if (missing !== undefined) {
    return createFailed(`collection ${missing} not found in database ${dbName}`);
  }
  return { backupType: "COLLECTION", dbName, collectionNames };
}

function createFailed(reason: string): ZillizError {
  return zillizError(ZILLIZ_CODES.createBackupFailed, `failed to create backup: ${reason}`);
}
