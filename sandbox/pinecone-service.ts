import { randomInt, randomUUID } from "node:crypto";
import * as z from "zod";
import type { FaultTarget } from "./fault-queue.ts";
import type { SimRequest, SimResponse } from "./http-sim-types.ts";
import {
  backupModel,
  backupStatusAt,
  indexModel,
  isRestorePending,
  type PineconeState,
  pineconeError,
  restoreJobModel,
  type StoredBackup,
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
 * Everything the Pinecone behaviour depends on: the simulator context, timings (the job is
 * the backup itself, `Initializing` for `jobDurationMs`), restore duration and quota.
 */
export interface PineconeServiceOptions
  extends SimulatorContext<PineconeState, FailNextBackupFault> {
  restoreDurationMs: number;
  /** Backups the project may hold (Standard plan: 500, docs/providers.md §2.5). */
  backupQuota: number;
}

/** 1–45 of a-z, 0-9, '-', alphanumeric at both ends (backup and index names alike). */
const NAME_PATTERN = /^[a-z0-9]([a-z0-9-]{0,43}[a-z0-9])?$/;
const NAME_RULE =
  "must be 1-45 lowercase alphanumeric characters or hyphens, and must not begin or end with a hyphen";

const createBackupBody = z.object({
  name: z.string().optional(),
  description: z.string().optional(),
});
const createIndexBody = z.object({ name: z.string(), deletion_protection: z.string().optional() });

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

  /** Describe Index. */
  describeIndex(indexName: string): SimResponse {
    const index = this.#o.state.indexes.find((candidate) => candidate.name === indexName);
    return index === undefined
      ? indexNotFound(indexName)
      : { status: 200, body: indexModel(index) };
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
    const index = this.#o.state.indexes.find((candidate) => candidate.name === indexName);
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
    const index = this.#o.state.indexes.find((candidate) => candidate.name === indexName);
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
    if (indexName !== undefined && !this.#o.state.indexes.some((i) => i.name === indexName)) {
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
   * `Pending` for `restoreDurationMs`, and meanwhile the backup cannot be deleted (412).
   */
  createIndexFromBackup(backupId: string, request: SimRequest): SimResponse {
    const body = createIndexBody.safeParse(request.body);
    if (!body.success) return pineconeError(422, "Failed to deserialize the JSON body");
    if (!NAME_PATTERN.test(body.data.name)) return pineconeError(400, `Index name ${NAME_RULE}.`);
    const found = this.#find(backupId);
    if (found === undefined || found.backup.deletedAt !== null) return backupNotFound(backupId);
    // ASSUMPTION (UNCONFIRMED): restoring from a backup that is not Ready is a 400.
    if (found.status !== "Ready") {
      return pineconeError(
        400,
        `Backup ${backupId} is ${found.status}; only Ready backups can be restored.`,
      );
    }
    const state = this.#o.state;
    if (state.indexes.some((index) => index.name === body.data.name)) {
      return pineconeError(409, `Resource ${body.data.name} already exists.`);
    }
    const indexId = randomUUID();
    state.seq += 1;
    state.indexes.push({ name: body.data.name, indexId, kind: "serverless" });
    const job = {
      restoreJobId: randomUUID(),
      backupId,
      targetIndexName: body.data.name,
      targetIndexId: indexId,
      seq: state.seq,
      createdAt: this.#o.now(),
      durationMs: this.#o.restoreDurationMs,
    };
    state.restoreJobs.push(job);
    this.#o.save();
    return { status: 202, body: { restore_job_id: job.restoreJobId, index_id: indexId } };
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
      indexes: state.indexes,
      backups: state.backups.map((b) => ({ ...b, status: backupStatusAt(b, now) })),
      restoreJobs: state.restoreJobs.map((job) => restoreJobModel(job, now)),
    };
  }

  /** A backup that is `Ready` at once, without quota checks. */
  #seed(input: z.output<typeof pineconeSeedSchema>): SeedResult {
    const index = this.#o.state.indexes.find((candidate) => candidate.name === input.indexName);
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

  #find(backupId: string): { backup: StoredBackup; status: string } | undefined {
    const backup = this.#o.state.backups.find((candidate) => candidate.backupId === backupId);
    if (backup === undefined) return undefined;
    const status = backupStatusAt(backup, this.#o.now());
    return status === "GONE" ? undefined : { backup, status };
  }
}

function backupNotFound(backupId: string): SimResponse {
  return pineconeError(404, `Backup ${backupId} not found.`);
}

function indexNotFound(indexName: string): SimResponse {
  return pineconeError(404, `Index ${indexName} not found.`);
}
