import { TABLE } from "../lib/store/table.ts";
import { isProductionStage } from "./stage.ts";

/** `lib/store/table.ts` speaks DynamoDB's API; SST's Dynamo component speaks its own words. */
const FIELD_TYPE = { S: "string", N: "number", B: "binary" } as const;
const STREAM_VIEW = {
  KEYS_ONLY: "keys-only",
  NEW_IMAGE: "new-image",
  OLD_IMAGE: "old-image",
  NEW_AND_OLD_IMAGES: "new-and-old-images",
} as const;

/**
 * The one table (single-table design), built from {@link TABLE}: keys, the four GSIs,
 * TTL, and a stream with old and new images (the expiry subscriber reads TTL deletions).
 * SST's Dynamo always uses on-demand billing and point-in-time recovery. Production
 * tables are retained on removal (`removal: "retain"` in sst.config.ts) and protected
 * against deletion.
 */
export const table = new sst.aws.Dynamo("Table", {
  fields: Object.fromEntries(
    Object.entries(TABLE.attributes).map(([name, type]) => [name, FIELD_TYPE[type]]),
  ),
  primaryIndex: { hashKey: TABLE.hashKey, rangeKey: TABLE.rangeKey },
  globalIndexes: Object.fromEntries(
    Object.entries(TABLE.indexes).map(([name, keys]) => [
      name,
      { hashKey: keys.hashKey, rangeKey: keys.rangeKey, projection: "all" as const },
    ]),
  ),
  ttl: TABLE.ttlAttribute,
  stream: STREAM_VIEW[TABLE.stream],
  deletionProtection: isProductionStage($app.stage),
});
