import { randomInt, randomUUID } from "node:crypto";
import * as z from "zod";
import type { FaultTarget } from "./fault-queue.ts";
import type { SimRequest, SimResponse } from "./http-sim-types.ts";
import {
  backupModel,
  backupStatusAt,
  indexModel,
  indexStateAt,
  isRestorePending,
  type PineconeState,
  pineconeError,
  restoreJobModel,
  type StoredBackup,
  type StoredIndex,
  type StoredRestoreJob,
} from "./pinecone-model.ts";
import { page, parsePageQuery } from "./pinecone-pages.ts";
import type { SimulatorContext } from "./simulator.ts";
import type { BackupSeeder, InventoryEntry, SeedResult } from "./vendor-hooks.ts";

/** Pinecone-only fault: the next backup created on a matching request ends in `status`. */
export interface FailNextBackupFault {
  kind: "fail-next-backup";
  /** Default `Failed`; newer API revisions document `InitializationFailed`. */
  status?: string;
}

/**
 * Pinecone-only fault: the next restore job started on a matching request ends in `status`
 * instead of `Completed`, and its index in `InitializationFailed`. The RestoreJobModel has
 * no reason field (docs/providers.md §2.6), so the status is all a client is told.
 */
export interface FailNextRestoreFault {
  kind: "fail-next-restore";
  /** Default `Failed`. */
  status?: string;
}

/** The simulator's own fault kinds. */
export type PineconeFault = FailNextBackupFault | FailNextRestoreFault;

/**
 * Everything the Pinecone behaviour depends on: the simulator context, timings (the job is
 * the backup itself, `Initializing` for `jobDurationMs`), restore duration and quotas.
 */
export interface PineconeServiceOptions extends SimulatorContext<PineconeState, PineconeFault> {
  restoreDurationMs: number;
  /** Backups the project may hold (Standard plan: 500, docs/providers.md §2.5). */
  backupQuota: number;
  /** Serverless indexes the project may hold (Standard plan: 20, docs/providers.md §2.6). */
  indexQuota: number;
}

/** 1–45 of a-z, 0-9, '-', alphanumeric at both ends (backup and index names alike). */
const NAME_PATTERN = /^[a-z0-9]([a-z0-9-]{0,43}[a-z0-9])?$/;
const NAME_RULE =
  "must be 1-45 lowercase alphanumeric characters or hyphens, and must not begin or end with a hyphen";

const createBackupBody = z.object({
  name: z.string().optional(),
  description: z.string().optional(),
});
const createIndexBody = z.object({
  name: z.string(),
  tags: z.record(z.string(), z.string()).optional(),
  deletion_protection: z.enum(["enabled", "disabled"]).optional(),
});
/** `IndexTags`: keys ≤ 80 of alphanumerics, '_' and '-'; values ≤ 120 of those and `;@.+ `. */
const TAG_KEY = /^[A-Za-z0-9_-]{1,80}$/;
const TAG_VALUE = /^[A-Za-z0-9;@_.+ -]{0,120}$/;

/** Body of `POST /__sandbox/backups` (and input of `sim.seedBackup`) on the Pinecone simulator. */
export const pineconeSeedSchema = z.strictObject({
  indexName: z.string().min(1),
  name: z.string().regex(NAME_PATTERN, `name ${NAME_RULE}`).optional(),
  description: z.string().optional(),
});

/**
 * The Pinecone backup and restore-job behaviour, free of HTTP: each method is one
 * documented operation answering what the real API documents (docs/providers.md §2.3) or,
 * where the documentation is silent, the assumption recorded next to the code.
 */
export class PineconeService {
  readonly #o: PineconeServiceOptions;
  /** Creates `Ready` backups directly in the model (`POST /__sandbox/backups`). */
  readonly seeder: BackupSeeder<typeof pineconeSeedSchema> = {
    schema: pineconeSeedSchema,
    seed: (input) => this.#seed(input),
  };

  /** @param options - timings, quota, clock, state and its save hook, fault queue */
  constructor(options: PineconeServiceOptions) {
    this.#o = options;
  }

  /** Describe Index: 200 until `deleteDurationMs` after its DELETE (`Terminating`), then 404. */
  describeIndex(indexName: string): SimResponse {
    const found = this.#findIndex(indexName);
    return found === undefined
      ? indexNotFound(indexName)
      : { status: 200, body: indexModel(found.index, found.state) };
  }

  /**
   * Delete Index: 202 without a body; 403 while deletion protection is enabled (the
   * documented message). ASSUMPTION (UNCONFIRMED): a second DELETE while the index is
   * `Terminating` is accepted again, and an index still being restored may be deleted.
   */
  deleteIndex(indexName: string): SimResponse {
    const found = this.#findIndex(indexName);
    if (found === undefined) return indexNotFound(indexName);
    if (found.index.deletionProtection === "enabled") {
      return pineconeError(
        403,
        "Deletion protection is enabled for this index. Disable deletion protection before retrying.",
      );
    }
    if (found.index.deletedAt === null) {
      found.index.deletedAt = this.#o.now();
      found.index.deleteDurationMs = this.#o.deleteDurationMs;
      this.#o.save();
    }
    return { status: 202 };
  }

  /** The names of the indexes the project has now (not yet gone), oldest first. */
  indexNames(): string[] {
    const now = this.#o.now();
    const jobs = this.#o.state.restoreJobs;
    return this.#o.state.indexes
      .filter((index) => indexStateAt(index, jobs, now) !== "GONE")
      .map((index) => index.name);
  }

  /** Create Backup: 201 + BackupModel (`Initializing` until `backupDurationMs` passed). */
  createBackup(indexName: string, request: SimRequest, target: FaultTarget): SimResponse {
    if (request.bodyError !== undefined)
      return pineconeError(400, "Request body is not valid JSON");
    // The body is required even without fields (docs/providers.md §2.3: send `{}`).
    if (request.body === undefined) return pineconeError(400, "Request body is required");
    const body = createBackupBody.safeParse(request.body);
    // ASSUMPTION (UNCONFIRMED): a body of the wrong shape is 422, a bad name 400.
    if (!body.success) return pineconeError(422, "Failed to deserialize the JSON body");
    const { name, description } = body.data;
    if (name !== undefined && !NAME_PATTERN.test(name)) {
      return pineconeError(400, `Backup name ${NAME_RULE}.`);
    }
    const index = this.#findIndex(indexName)?.index;
    // ASSUMPTION (UNCONFIRMED): create documents no 404; an unknown index is one here.
    if (index === undefined) return indexNotFound(indexName);
    if (index.kind === "pod") {
      return pineconeError(
        400,
        `Index ${indexName} is a pod-based index; backups require a serverless index.`,
      );
    }
    const now = this.#o.now();
    const held = this.#o.state.backups.filter((b) => backupStatusAt(b, now) !== "GONE").length;
    if (held >= this.#o.backupQuota) {
      return pineconeError(
        403,
        `Backup quota exceeded: this project allows ${this.#o.backupQuota} backups.`,
      );
    }
    // Taken only now, so a rejected create does not use up the fault.
    const fault = this.#o.faults.take("fail-next-backup", target);
    const backup = this.#newBackup(indexName, index.indexId, {
      name: name ?? null,
      description: description ?? null,
      durationMs: this.#o.jobDurationMs,
      failStatus: fault === undefined ? null : (fault.status ?? "Failed"),
    });
    return { status: 201, body: backupModel(backup, backupStatusAt(backup, now)) };
  }

  /**
   * Adds `count` backups of a serverless index that are `Ready` at once, without HTTP
   * round trips or quota checks: for tests and demos that need many backups (paging).
   *
   * @returns the new backup ids, oldest first
   */
  seedBackups(indexName: string, count: number): string[] {
    const index = this.#findIndex(indexName)?.index;
    if (index === undefined) throw new Error(`no index ${indexName} in the simulator`);
    return Array.from({ length: count }, (_, i) => {
      const fields = {
        name: `seeded-${i + 1}`,
        description: null,
        durationMs: 0,
        failStatus: null,
      };
      return this.#newBackup(indexName, index.indexId, fields).backupId;
    });
  }

  /**
   * List Backups of the project (no index) or of one index (404 if it does not exist).
   *
   * ASSUMPTION (UNCONFIRMED): the order is not documented; newest first here. Backups
   * being deleted are left out unless `include_deleted=true` (a 2026-07 parameter).
   */
  listBackups(query: URLSearchParams, indexName?: string): SimResponse {
    if (indexName !== undefined && this.#findIndex(indexName) === undefined) {
      return indexNotFound(indexName);
    }
    const paging = parsePageQuery(query);
    if ("status" in paging) return paging;
    const now = this.#o.now();
    const withDeleted = query.get("include_deleted") === "true";
    const items = this.#o.state.backups
      .filter((b) => indexName === undefined || b.indexName === indexName)
      .filter((b) => withDeleted || b.deletedAt === null)
      .map((b) => ({ seq: b.seq, status: backupStatusAt(b, now), backup: b }))
      .filter((item) => item.status !== "GONE")
      .sort((a, b) => b.seq - a.seq)
      .map(({ seq, status, backup }) => ({ seq, model: backupModel(backup, status) }));
    return { status: 200, body: page(items, paging) };
  }

  /** Describe Backup: 200 until `deleteDurationMs` after its DELETE, then 404. */
  describeBackup(backupId: string): SimResponse {
    const found = this.#find(backupId);
    if (found === undefined) return backupNotFound(backupId);
    return { status: 200, body: backupModel(found.backup, found.status) };
  }

  /** Delete Backup: 202 without a body; 412 while a restore from it is pending. */
  deleteBackup(backupId: string): SimResponse {
    const found = this.#find(backupId);
    if (found === undefined) return backupNotFound(backupId);
    const now = this.#o.now();
    const pending = this.#o.state.restoreJobs.filter(
      (job) => job.backupId === backupId && isRestorePending(job, now),
    );
    if (pending.length > 0) {
      const ids = pending.map((job) => `'${job.restoreJobId}'`).join(", ");
      // The documented example message, verbatim but for the ids.
      const message = `Unable to delete backup. There are pending restore jobs for this backup: [${ids}]`;
      return pineconeError(412, message);
    }
    // ASSUMPTION (UNCONFIRMED): a second DELETE while the first is under way is accepted
    // again (202) and changes nothing; an Initializing backup may be deleted.
    if (found.backup.deletedAt === null) {
      found.backup.deletedAt = now;
      found.backup.deleteDurationMs = this.#o.deleteDurationMs;
      this.#o.save();
    }
    return { status: 202 };
  }

  /**
   * Create Index from Backup (a restore): 202 `{restore_job_id, index_id}`. The job is
   * `Pending` for `restoreDurationMs` (the backup cannot be deleted meanwhile, 412) and
   * the new index `Initializing`; then the job is `Completed` and the index `Ready`, with
   * the backup's record count, the given tags and deletion protection.
   *
   * Refusals, as documented (2026-07 reference): 400 a bad name or tags, 404 no such
   * backup, 412 `Backup … is not completed`, 409 the name is taken, 403 the index quota.
   * ASSUMPTION (UNCONFIRMED): the order of those checks; an index still `Terminating`
   * keeps its name taken.
   */
  createIndexFromBackup(backupId: string, request: SimRequest, target: FaultTarget): SimResponse {
    if (request.bodyError !== undefined)
      return pineconeError(400, "Request body is not valid JSON");
    const body = createIndexBody.safeParse(request.body);
    if (!body.success) return pineconeError(422, "Failed to deserialize the JSON body");
    const { name, tags, deletion_protection } = body.data;
    if (!NAME_PATTERN.test(name)) return pineconeError(400, `Index name ${NAME_RULE}.`);
    for (const [key, value] of Object.entries(tags ?? {})) {
      if (!TAG_KEY.test(key) || !TAG_VALUE.test(value)) {
        return pineconeError(400, `Invalid tag ${JSON.stringify(key.slice(0, 80))}.`);
      }
    }
    const found = this.#find(backupId);
    if (found === undefined || found.backup.deletedAt !== null) return backupNotFound(backupId);
    if (found.status !== "Ready") {
      // The documented example message (2026-07).
      return pineconeError(412, `Backup ${backupId} is not completed`);
    }
    if (this.#findIndex(name) !== undefined) {
      return pineconeError(409, `Resource ${name} already exists.`);
    }
    const now = this.#o.now();
    const serverless = this.#o.state.indexes.filter(
      (index) =>
        index.kind === "serverless" &&
        indexStateAt(index, this.#o.state.restoreJobs, now) !== "GONE",
    );
    if (serverless.length >= this.#o.indexQuota) {
      // The documented example of this endpoint's 403.
      return pineconeError(403, "Increase your quota or upgrade to create more indexes.");
    }
    // Taken only now, so a refused restore does not use up the fault.
    const fault = this.#o.faults.take("fail-next-restore", target);
    const state = this.#o.state;
    state.seq += 1;
    const job: StoredRestoreJob = {
      restoreJobId: randomUUID(),
      backupId,
      targetIndexName: name,
      targetIndexId: randomUUID(),
      seq: state.seq,
      createdAt: now,
      durationMs: this.#o.restoreDurationMs,
      failStatus: fault === undefined ? null : (fault.status ?? "Failed"),
    };
    state.restoreJobs.push(job);
    state.indexes.push({
      ...newIndex(name, job.targetIndexId, "serverless"),
      tags: tagsOf(tags),
      deletionProtection: deletion_protection ?? "disabled",
      restoreJobId: job.restoreJobId,
      recordCount: found.backup.recordCount,
    });
    this.#o.save();
    return { status: 202, body: { restore_job_id: job.restoreJobId, index_id: job.targetIndexId } };
  }

  /** List Restore Jobs, newest first (same paging as the backup lists). */
  listRestoreJobs(query: URLSearchParams): SimResponse {
    const paging = parsePageQuery(query);
    if ("status" in paging) return paging;
    const now = this.#o.now();
    const items = [...this.#o.state.restoreJobs]
      .sort((a, b) => b.seq - a.seq)
      .map((job) => ({ seq: job.seq, model: restoreJobModel(job, now) }));
    return { status: 200, body: page(items, paging) };
  }

  /** Describe Restore Job. */
  describeRestoreJob(jobId: string): SimResponse {
    const job = this.#o.state.restoreJobs.find((candidate) => candidate.restoreJobId === jobId);
    if (job === undefined) return pineconeError(404, `Restore job ${jobId} not found.`);
    return { status: 200, body: restoreJobModel(job, this.#o.now()) };
  }

  /** The backups the project still has now (none deleted), oldest first; none is automatic. */
  inventory(): InventoryEntry[] {
    const now = this.#o.now();
    return this.#o.state.backups
      .filter((backup) => backup.deletedAt === null)
      .map((backup) => ({
        vendor: "pinecone",
        backupId: backup.backupId,
        resourceId: backup.indexName,
        label: backup.description ?? backup.name ?? "",
        status: backupStatusAt(backup, now),
        automatic: false,
        createdAt: backup.createdAt,
      }));
  }

  /** Everything the simulator knows, rendered at the current time (`GET /__sandbox/state`). */
  dump(now: number): unknown {
    const { state } = this.#o;
    return {
      now: new Date(now).toISOString(),
      indexes: state.indexes.map((index) => ({
        ...index,
        state: indexStateAt(index, state.restoreJobs, now),
      })),
      backups: state.backups.map((b) => ({ ...b, status: backupStatusAt(b, now) })),
      restoreJobs: state.restoreJobs.map((job) => restoreJobModel(job, now)),
    };
  }

  /** A backup that is `Ready` at once, without quota checks. */
  #seed(input: z.output<typeof pineconeSeedSchema>): SeedResult {
    const index = this.#findIndex(input.indexName)?.index;
    if (index === undefined) return { status: 404, message: `index ${input.indexName} not found` };
    if (index.kind === "pod") {
      return { status: 409, message: `index ${input.indexName} is pod-based: no backups` };
    }
    const backup = this.#newBackup(input.indexName, index.indexId, {
      name: input.name ?? null,
      description: input.description ?? null,
      durationMs: 0,
      failStatus: null,
    });
    return { backupId: backup.backupId };
  }

  #newBackup(
    indexName: string,
    indexId: string,
    fields: Pick<StoredBackup, "name" | "description" | "durationMs" | "failStatus">,
  ): StoredBackup {
    const state = this.#o.state;
    state.seq += 1;
    const backup: StoredBackup = {
      backupId: randomUUID(),
      ...fields,
      indexName,
      indexId,
      seq: state.seq,
      createdAt: this.#o.now(),
      recordCount: randomInt(1_000, 5_000_000),
      namespaceCount: randomInt(1, 20),
      sizeBytes: randomInt(10 * 2 ** 20, 4 * 2 ** 30),
      deletedAt: null,
      deleteDurationMs: this.#o.deleteDurationMs,
    };
    state.backups.push(backup);
    this.#o.save();
    return backup;
  }

  /** An index that is not gone, with its state now. */
  #findIndex(indexName: string): { index: StoredIndex; state: string } | undefined {
    const now = this.#o.now();
    for (const index of this.#o.state.indexes) {
      if (index.name !== indexName) continue;
      const state = indexStateAt(index, this.#o.state.restoreJobs, now);
      if (state !== "GONE") return { index, state };
    }
    return undefined;
  }

  #find(backupId: string): { backup: StoredBackup; status: string } | undefined {
    const backup = this.#o.state.backups.find((candidate) => candidate.backupId === backupId);
    if (backup === undefined) return undefined;
    const status = backupStatusAt(backup, this.#o.now());
    return status === "GONE" ? undefined : { backup, status };
  }
}

/** Tags as kept: an empty value unsets its key (as documented for IndexTags); none is null. */
function tagsOf(tags: Record<string, string> | undefined): Record<string, string> | null {
  const kept = Object.entries(tags ?? {}).filter(([, value]) => value !== "");
  return kept.length === 0 ? null : Object.fromEntries(kept);
}

/** A stored index as created (no tags, unprotected, not from a restore). */
export function newIndex(name: string, indexId: string, kind: StoredIndex["kind"]): StoredIndex {
  return {
    name,
    indexId,
    kind,
    tags: null,
    deletionProtection: "disabled",
    restoreJobId: null,
    recordCount: 0,
    deletedAt: null,
    deleteDurationMs: 0,
  };
}

function backupNotFound(backupId: string): SimResponse {
  return pineconeError(404, `Backup ${backupId} not found.`);
}

function indexNotFound(indexName: string): SimResponse {
  return pineconeError(404, `Index ${indexName} not found.`);
}
