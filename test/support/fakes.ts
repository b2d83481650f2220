import type { BackupRecord } from "../../lib/core/backup.ts";
import { InvalidTransitionError, NotFoundError } from "../../lib/core/errors.ts";
import { type BackupStatus, sourcesOf } from "../../lib/core/status.ts";
import type { Target } from "../../lib/core/target.ts";
import type { DomainEvent } from "../../lib/notify/events.ts";
import type {
  BackupProvider,
  BackupRef,
  BackupState,
  VendorBackup,
} from "../../lib/providers/port.ts";
import type { Turn } from "../../lib/providers/rate-budget.ts";
import type { BackupTaskDeps } from "../../lib/usecases/backup-tasks.ts";

/*
 * Test doubles of the ports the use cases take (each implements exactly what a use case
 * picks of a repository or adapter), for fast tests of their decisions. The repositories
 * themselves are tested on dynalite and DynamoDB Local (test/store/); these keep their
 * contract — a status moves only along the status machine — and nothing more.
 */

type TaskBackups = BackupTaskDeps["backups"];

/** Backups in memory, moving only as the status machine allows. */
export class MemoryBackups implements TaskBackups {
  readonly records = new Map<string, BackupRecord>();
  readonly claims = new Map<string, string>();
  /** The events written with transitions (the outbox), in order. */
  readonly outbox: DomainEvent[] = [];

  constructor(records: BackupRecord[] = []) {
    for (const record of records) this.records.set(record.id, structuredClone(record));
  }

  async get(id: string): Promise<BackupRecord> {
    const record = this.records.get(id);
    if (!record) throw new NotFoundError("backup", id);
    return structuredClone(record);
  }

  async patch(id: string, status: BackupStatus, patch: Partial<BackupRecord>) {
    const record = await this.get(id);
    if (record.status !== status) throw new InvalidTransitionError(id, record.status, status);
    return this.#write(patched(record, patch));
  }

  async transition(
    id: string,
    to: BackupStatus,
    patch: Partial<BackupRecord> = {},
    options: {
      from?: readonly BackupStatus[];
      idempotent?: boolean;
      events?: (next: BackupRecord) => DomainEvent[];
    } = {},
  ) {
    const record = await this.get(id);
    if (options.idempotent && record.status === to) return record;
    const sources = sourcesOf(to).filter((s) => !options.from || options.from.includes(s));
    if (
      !sources.includes(record.status) ||
      ((to === "EXPIRING" || to === "DELETING") && record.hold)
    )
      throw new InvalidTransitionError(id, record.status, to);
    const next = this.#write({ ...patched(record, patch), status: to });
    this.outbox.push(...(options.events?.(next) ?? []));
    return next;
  }

  /** A target's backups in one status, newest first (what the first look reads). */
  async list(query: { targetId?: string; status?: BackupStatus; limit?: number } = {}) {
    const items = [...this.records.values()]
      .filter(
        (r) =>
          (!query.targetId || r.targetId === query.targetId) &&
          (!query.status || r.status === query.status),
      )
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))
      .slice(0, query.limit ?? 50)
      .map((r) => structuredClone(r));
    return { items };
  }

  async settle(
    id: string,
    to: BackupStatus,
    patch: Partial<BackupRecord> = {},
    options: { events?: (next: BackupRecord) => DomainEvent[] } = {},
  ) {
    const current = await this.get(id);
    if (current.status === to) return { record: current, changed: false };
    return { record: await this.transition(id, to, patch, options), changed: true };
  }

  async claimVendorBackup(
    provider: string,
    resourceId: string,
    vendorId: string,
    backupId: string,
  ) {
    const key = `${provider}:${resourceId}:${vendorId}`;
    const holder = this.claims.get(key);
    if (holder && holder !== backupId) return false;
    this.claims.set(key, backupId);
    return true;
  }

  async vendorClaimOf(provider: string, resourceId: string, vendorId: string) {
    return this.claims.get(`${provider}:${resourceId}:${vendorId}`);
  }

  #write(record: BackupRecord): BackupRecord {
    const next = { ...record, version: record.version + 1 };
    this.records.set(record.id, next);
    return structuredClone(next);
  }
}

/** The record with `patch` applied as the store applies it: a null removes the field. */
function patched(record: BackupRecord, patch: Partial<BackupRecord>): BackupRecord {
  const next: Record<string, unknown> = { ...record };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else if (value !== undefined) next[key] = value;
  }
  return next as unknown as BackupRecord;
}

/** Targets in memory. */
export function memoryTargets(targets: Target[]): BackupTaskDeps["targets"] {
  const byId = new Map(targets.map((t) => [t.id, t]));
  return {
    get: async (id) => {
      const target = byId.get(id);
      if (!target) throw new NotFoundError("target", id);
      return target;
    },
    find: async (id) => byId.get(id),
  };
}

/** Leases that record what was taken and released. */
export function recordingLeases() {
  const calls: string[] = [];
  const leases: BackupTaskDeps["leases"] = {
    acquire: async (resource, holder, ttlMs) => {
      calls.push(`acquire ${resource} ${holder}`);
      return { resource, holder, expiresAtMs: Date.now() + ttlMs };
    },
    release: async (resource, holder) => {
      calls.push(`release ${resource} ${holder}`);
    },
  };
  return { leases, calls };
}

/** A vendor adapter whose answers a test sets, recording what it was asked. */
export function fakeProvider(answers: {
  create?: () => Promise<{ ref: BackupRef; state: BackupState }>;
  status?: (ref: BackupRef) => Promise<BackupState>;
  delete?: (ref: BackupRef) => Promise<{ status: "DELETED" | "DELETING" }>;
  listed?: VendorBackup[];
  labelsBackups?: boolean;
  /** The fleet budget's answer to a reservation (absent: the provider has no budget). */
  reserve?: () => Promise<{ turn: Turn; retryAfterMs: number }>;
}) {
  const calls: string[] = [];
  const reserve = answers.reserve;
  const provider: BackupProvider = {
    name: "zilliz",
    labelsBackups: answers.labelsBackups ?? false,
    ...(reserve
      ? {
          reserveTurn: async () => {
            calls.push("reserveTurn");
            return reserve();
          },
        }
      : {}),
    createBackup: async ({ backupId }) => {
      calls.push(`create ${backupId}`);
      if (!answers.create) throw new Error("createBackup not expected");
      return answers.create();
    },
    getBackupStatus: async (ref) => {
      calls.push(`status ${ref.backupId}`);
      if (!answers.status) throw new Error("getBackupStatus not expected");
      return answers.status(ref);
    },
    deleteBackup: async (ref) => {
      calls.push(`delete ${ref.backupId}`);
      return answers.delete ? answers.delete(ref) : { status: "DELETED" };
    },
    listBackups: async () => {
      calls.push("listBackups");
      return answers.listed ?? [];
    },
  };
  return { provider, calls };
}

/** A publisher keeping what it was given. */
export function recordingEvents() {
  const events: DomainEvent[] = [];
  return {
    publisher: { publish: async (e: readonly DomainEvent[]) => void events.push(...e) },
    events,
  };
}
