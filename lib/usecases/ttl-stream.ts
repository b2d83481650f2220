import { EXPIRY_ENTITY } from "../store/keys.ts";
import { TTL_PRINCIPAL } from "../store/table.ts";

/** The parts of a DynamoDB stream record (images unmarshalled) we look at. */
export interface StreamRecordView {
  eventName: string;
  userIdentity?: { type?: string; principalId?: string } | null;
  dynamodb: { SequenceNumber?: string; OldImage?: Record<string, unknown> };
}

export { TTL_PRINCIPAL };

/**
 * The backup id of an expiry marker that DynamoDB TTL removed, or undefined for anything
 * else (inserts, updates, markers deleted by us, other entities). The stack's event
 * filter passes only these already; checking again keeps the handler honest locally.
 */
export function expiredMarkerOf(record: StreamRecordView): string | undefined {
  if (record.eventName !== "REMOVE") return undefined;
  if (
    record.userIdentity?.type !== TTL_PRINCIPAL.type ||
    record.userIdentity.principalId !== TTL_PRINCIPAL.principalId
  ) {
    return undefined;
  }
  const image = record.dynamodb.OldImage;
  if (image?.entity !== EXPIRY_ENTITY || typeof image.backupId !== "string") return undefined;
  return image.backupId;
}
