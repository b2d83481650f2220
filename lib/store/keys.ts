/**
 * Key layout of every entity in the table, in one place.
 *
 * | entity      | pk                     | sk          | gsi1 (by parent)            | gsi2 (by status)        | gsi3 (by time)         |
 * |-------------|------------------------|-------------|-----------------------------|-------------------------|------------------------|
 * | target      | TARGET#id              | TARGET      | TARGETS / createdAt#id      |                         |                        |
 * | backup      | BACKUP#id              | BACKUP      | TARGET#tid / createdAt#id   | STATUS#s / createdAt#id | BACKUPS / createdAt#id |
 * | restore     | RESTORE#id             | RESTORE     | RESTORES_OF#bid / at#id     |                         | RESTORES / createdAt#id|
 * | restore tkn | RESTORETOKEN#sha256    | RESTORETOKEN|                             |                         |                        |
 * | lease       | LEASE#resource         | LEASE       |                             |                         |                        |
 * | idempotency | IDEMPOTENCY#scope#key  | IDEMPOTENCY |                             |                         |                        |
 * | vendor claim| VENDOR#provider#res#id | VENDOR      |                             |                         |                        |
 * | policy      | POLICY#id              | POLICY      | POLICIES / createdAt#id     |                         | POLICY_DUE / nextRun#id|
 * | run         | RUN#policyId           | at#targetId |                             |                         |                        |
 * | expiry      | EXPIRY#backupId        | EXPIRY      |                             |                         | EXPIRY_DUE / dueAt#id  |
 * | delivery    | DELIVERY#consumer#event| DELIVERY    |                             |                         |                        |
 * | target tag  | TARGETTAG#tid#key=value| TARGETTAG   | TAG#key=value / createdAt#tid|                        |                        |
 * | meta        | META#tag-index         | META        |                             |                         |                        |
 * | rate budget | RATE#vendor|host|acct  | RATE        |                             |                         |                        |
 * | freshness   | FRESHNESS              | TARGET#tid  |                             |                         |                        |
 *
 * Any item written with domain events (a backup, a run) is also in gsi4 (the outbox:
 * `OUTBOX` / `at#pk`) until they are published (lib/store/outbox.ts).
 */
export const Keys = {
  target: (id: string) => ({ pk: `TARGET#${id}`, sk: "TARGET" }),
  targetIndex: (createdAt: string, id: string) => ({
    gsi1pk: "TARGETS",
    gsi1sk: `${createdAt}#${id}`,
  }),
  backup: (id: string) => ({ pk: `BACKUP#${id}`, sk: "BACKUP" }),
  backupIndexes: (b: { id: string; targetId: string; status: string; createdAt: string }) => ({
    gsi1pk: `TARGET#${b.targetId}`,
    gsi1sk: `${b.createdAt}#${b.id}`,
    gsi2pk: `STATUS#${b.status}`,
    gsi2sk: `${b.createdAt}#${b.id}`,
    gsi3pk: "BACKUPS",
    gsi3sk: `${b.createdAt}#${b.id}`,
  }),
  restore: (id: string) => ({ pk: `RESTORE#${id}`, sk: "RESTORE" }),
  restoreIndexes: (r: { id: string; backupId: string; createdAt: string }) => ({
    gsi1pk: `RESTORES_OF#${r.backupId}`,
    gsi1sk: `${r.createdAt}#${r.id}`,
    gsi3pk: "RESTORES",
    gsi3sk: `${r.createdAt}#${r.id}`,
  }),
  /** A restore preview's confirmation token, by the SHA-256 of the token (never the token). */
  restoreToken: (hash: string) => ({ pk: `RESTORETOKEN#${hash}`, sk: "RESTORETOKEN" }),
  lease: (resource: string) => ({ pk: `LEASE#${resource}`, sk: "LEASE" }),
  vendorClaim: (provider: string, resourceId: string, vendorBackupId: string) => ({
    pk: `VENDOR#${provider}#${resourceId}#${vendorBackupId}`,
    sk: "VENDOR",
  }),
  policy: (id: string) => ({ pk: `POLICY#${id}`, sk: "POLICY" }),
  policyIndex: (createdAt: string, id: string) => ({
    gsi1pk: "POLICIES",
    gsi1sk: `${createdAt}#${id}`,
  }),
  policyDue: (nextRunAt: string, id: string) => ({
    gsi3pk: "POLICY_DUE",
    gsi3sk: `${nextRunAt}#${id}`,
  }),
  run: (policyId: string, scheduledAt: string, targetId: string) => ({
    pk: `RUN#${policyId}`,
    sk: `${scheduledAt}#${targetId}`,
  }),
  expiry: (backupId: string) => ({ pk: `EXPIRY#${backupId}`, sk: "EXPIRY" }),
  expiryDue: (dueAt: string, backupId: string) => ({
    gsi3pk: "EXPIRY_DUE",
    gsi3sk: `${dueAt}#${backupId}`,
  }),
  delivery: (consumer: string, eventId: string) => ({
    pk: `DELIVERY#${consumer}#${eventId}`,
    sk: "DELIVERY",
  }),
  /** One tag of one target, in the tag index (lib/store/targets.ts). */
  targetTag: (targetId: string, key: string, value: string) => ({
    pk: `TARGETTAG#${targetId}#${key}=${value}`,
    sk: "TARGETTAG",
  }),
  /** The by-parent partition of the targets carrying `key=value` (keys hold no `=`). */
  tagPartition: (key: string, value: string) => `TAG#${key}=${value}`,
  /** Present once every target is in the tag index. */
  tagIndexMarker: () => ({ pk: "META#tag-index", sk: "META" }),
  /** The fleet's request budget for one vendor account on one host (lib/providers/rate-budget.ts). */
  rateBudget: (vendor: string, host: string, account: string) => ({
    pk: `RATE#${vendor}|${host}|${account}`,
    sk: "RATE",
  }),
  /**
   * A target's announced freshness state (lib/store/freshness.ts), all in one partition:
   * the sweeper reads every state with one Query; they change rarely.
   */
  freshness: (targetId: string) => ({ pk: "FRESHNESS", sk: `TARGET#${targetId}` }),
  idempotency: (scope: string, key: string) => ({
    pk: `IDEMPOTENCY#${scope}#${key}`,
    sk: "IDEMPOTENCY",
  }),
} as const;

/** Attributes that belong to the table layout, not to the entity. */
export const LAYOUT_ATTRIBUTES = [
  "pk",
  "sk",
  "gsi1pk",
  "gsi1sk",
  "gsi2pk",
  "gsi2sk",
  "gsi3pk",
  "gsi3sk",
  "gsi4pk",
  "gsi4sk",
  "outbox",
  "entity",
  "tagIndex",
  "ttl",
] as const;

/** The entity tag of rate-budget items: no stream consumer's filter passes them. */
export const RATE_BUDGET_ENTITY = "rate-budget";

/** The entity tag of expiry markers; the stream filter passes only TTL deletions of these. */
export const EXPIRY_ENTITY = "expiry";
