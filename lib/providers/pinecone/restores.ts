/**
 * Pinecone restores (docs/providers.md §2.6): a backup becomes a NEW serverless index
 * (`POST /backups/{backup_id}/create-index`), followed by its restore job
 * (`GET /restore-jobs/{job_id}`). The new index carries our tag `backup-warden: <restoreId>`,
 * which is how a lost start is found again and how a drill knows it may delete the index.
 */
import * as z from "zod";
import { ProviderError } from "../../core/provider-error.ts";
import { PineconeDestination } from "../../core/restore.ts";
import type { VendorRequest, VendorResponse } from "../http.ts";
import { listingTooLong, parseVendor, pathSegment } from "../http.ts";
import type {
  BackupRef,
  RestoredResource,
  RestoreRef,
  RestoreState,
  VendorRestores,
} from "../port.ts";

/** The tag key our restored indexes carry; its value is our restore id. */
export const RESTORE_TAG = "backup-warden";
/** What our restore ids look like (and so the value of {@link RESTORE_TAG} on an index of ours). */
const OUR_RESTORE_ID = /^rs_[0-9a-z_-]{1,60}$/;
/** A safety stop for the restore-job listing: 50 pages of 100. */
const MAX_LIST_PAGES = 50;

const CreateIndexFromBackupResponse = z.object({
  restore_job_id: z.string(),
  index_id: z.string(),
});
const RestoreJob = z.object({
  restore_job_id: z.string(),
  backup_id: z.string(),
  target_index_name: z.string(),
  status: z.string(),
  created_at: z.string().nullish(),
  percent_complete: z.number().nullish(),
});
const RestoreJobList = z.object({
  data: z.array(RestoreJob),
  pagination: z.object({ next: z.string().nullish() }).nullish(),
});
const Index = z.object({
  name: z.string(),
  status: z.object({ ready: z.boolean(), state: z.string() }),
  deletion_protection: z.string().nullish(),
  tags: z.record(z.string(), z.string()).nullish(),
});
const BackupStatus = z.object({ backup_id: z.string(), status: z.string() });

/**
 * Maps a restore job (docs/providers.md §2.6). `status` is a free string; the reference
 * shows `Completed`, and the research notes `Pending`, `Failed`, `Cancelled`. `Completed` is
 * RESTORED, anything naming a failure or a cancellation is FAILED, anything else (`Pending`,
 * an unknown word) is RUNNING, bounded by the restore's deadline.
 */
export function pineconeRestoreState(job: z.infer<typeof RestoreJob>): RestoreState {
  const progress =
    typeof job.percent_complete === "number"
      ? { progress: Math.max(0, Math.min(100, job.percent_complete)) }
      : {};
  if (job.status === "Completed") {
    return { status: "RESTORED", providerStatus: job.status, progress: 100 };
  }
  if (/fail|cancel|error/i.test(job.status)) {
    // The RestoreJobModel has no reason field: the status is all Pinecone tells.
    return {
      status: "FAILED",
      providerStatus: job.status,
      ...progress,
      failureReason: `Pinecone reports restore job ${job.restore_job_id} (index ${job.target_index_name}) as ${job.status.slice(0, 80)}`,
    };
  }
  return { status: "RUNNING", providerStatus: job.status, ...progress };
}

/** The adapter's transport, as {@link PineconeRestores} needs it (the provider's `send`). */
export type PineconeSend = (request: VendorRequest) => Promise<VendorResponse>;

/** {@link VendorRestores} for one Pinecone target (its project: the API key's). */
export class PineconeRestores implements VendorRestores {
  readonly #send: PineconeSend;

  constructor(send: PineconeSend) {
    this.#send = send;
  }

  /**
   * Always a new index: nothing is overwritten. Refused when the backup is unknown
   * (NOT_FOUND), failed (INVALID) or not complete yet (CONFLICT, as the vendor's 412), or
   * when an index of that name exists (INVALID, as the vendor's 409).
   */
  async preview(
    backup: BackupRef,
    destination: Record<string, unknown>,
  ): Promise<{ overwrites?: { resourceId: string; summary: string } }> {
    const { indexName } = parseDestination(destination);
    const response = await this.#send({ method: "GET", path: backupPath(backup.backupId) });
    const described = parseVendor("pinecone", "backup", BackupStatus, response.body);
    if (described.status !== "Ready") {
      const failed = /fail/i.test(described.status);
      throw new ProviderError({
        cls: failed ? "INVALID" : "CONFLICT",
        provider: "pinecone",
        message: `pinecone backup ${described.backup_id} is ${described.status.slice(0, 80)}; only a Ready backup can be restored${failed ? "" : " (try again once it is Ready)"}`,
      });
    }
    if ((await this.#index(indexName)) !== undefined) throw nameTaken(indexName);
    return {};
  }

  /**
   * `POST /backups/{id}/create-index` with the destination's name, our tag and, when
   * given, its deletion protection; 202 `{restore_job_id, index_id}`.
   */
  async start(request: {
    restoreId: string;
    backup: BackupRef;
    destination: Record<string, unknown>;
  }): Promise<{ ref: RestoreRef; state: RestoreState }> {
    const { indexName, deletionProtection } = parseDestination(request.destination);
    const restoreId = ourRestoreId(request.restoreId);
    const response = await this.#send({
      method: "POST",
      path: `${backupPath(request.backup.backupId)}/create-index`,
      body: {
        name: indexName,
        tags: { [RESTORE_TAG]: restoreId },
        ...(deletionProtection ? { deletion_protection: deletionProtection } : {}),
      },
    });
    const created = parseVendor(
      "pinecone",
      "create-index-from-backup response",
      CreateIndexFromBackupResponse,
      response.body,
    );
    return {
      ref: { jobId: created.restore_job_id, resourceId: indexName, created: true },
      // 202 says only "accepted"; the job's own status comes with the first `status`.
      state: { status: "RUNNING", providerStatus: "Accepted" },
    };
  }

  /** `GET /restore-jobs/{job_id}`; a job Pinecone no longer knows (404) is FAILED. */
  async status(ref: RestoreRef): Promise<RestoreState> {
    const job = await this.#job(ref.jobId);
    if (job === undefined) {
      return {
        status: "FAILED",
        providerStatus: "NOT_FOUND",
        failureReason: `Pinecone no longer knows restore job ${ref.jobId}`,
      };
    }
    return pineconeRestoreState(job);
  }

  /**
   * `GET /indexes/{name}`: healthy when `status.ready` and `status.state` is `Ready`. The
   * control plane does not report a record count (that is `describe_index_stats` on the
   * index's own data-plane host), so none is given.
   */
  async describe(ref: RestoreRef): Promise<RestoredResource> {
    const index = await this.#index(ref.resourceId);
    if (index === undefined) return { exists: false, healthy: false, providerStatus: "NOT_FOUND" };
    return {
      exists: true,
      healthy: index.status.ready && index.status.state === "Ready",
      providerStatus: index.status.state,
    };
  }

  /**
   * `DELETE /indexes/{name}` (202, then `Terminating` until describe answers 404), only for
   * an index this restore created: `ref.created`, our tag on the index, and — when Pinecone
   * still knows the job — the job's target being that index. Deletion protection is
   * refused up front (INVALID, saying so) rather than left to the vendor's 403.
   */
  async deleteCreated(ref: RestoreRef): Promise<{ status: "DELETED" | "DELETING" }> {
    if (!ref.created) {
      throw invalid(
        `pinecone index ${ref.resourceId} was not created by this restore; it is never deleted`,
      );
    }
    const index = await this.#index(ref.resourceId);
    if (index === undefined) return { status: "DELETED" };
    const tag = index.tags?.[RESTORE_TAG];
    if (tag === undefined || !OUR_RESTORE_ID.test(tag)) {
      throw invalid(
        `pinecone index ${index.name} does not carry our tag ${RESTORE_TAG}; an index backup-warden did not create is never deleted`,
      );
    }
    const job = await this.#job(ref.jobId);
    if (job !== undefined && job.target_index_name !== index.name) {
      throw invalid(
        `pinecone restore job ${ref.jobId} wrote index ${job.target_index_name}, not ${index.name}; nothing was deleted`,
      );
    }
    if (index.status.state === "Terminating") return { status: "DELETING" };
    if (index.deletion_protection === "enabled") throw protectedIndex(index.name);
    try {
      await this.#send({ method: "DELETE", path: indexPath(index.name) });
    } catch (error) {
      if (isClass(error, "NOT_FOUND")) return { status: "DELETED" };
      throw error;
    }
    return { status: "DELETING" };
  }

  /**
   * The index named in the destination, if it carries our tag with `restoreId`; its job is
   * the newest restore job targeting that index name (`GET /restore-jobs`, every page:
   * the order is not documented).
   */
  async find(
    restoreId: string,
    destination: Record<string, unknown>,
  ): Promise<RestoreRef | undefined> {
    const { indexName } = parseDestination(destination);
    const index = await this.#index(indexName);
    if (index?.tags?.[RESTORE_TAG] !== restoreId) return undefined;
    const job = await this.#newestJobFor(indexName);
    if (job === undefined) {
      throw new ProviderError({
        cls: "UNKNOWN",
        provider: "pinecone",
        message: `pinecone index ${indexName} carries our restore ${restoreId}, but no restore job targets it`,
      });
    }
    return { jobId: job.restore_job_id, resourceId: indexName, created: true };
  }

  /** The index, or undefined on 404. */
  async #index(indexName: string): Promise<z.infer<typeof Index> | undefined> {
    try {
      const response = await this.#send({ method: "GET", path: indexPath(indexName) });
      return parseVendor("pinecone", "index", Index, response.body);
    } catch (error) {
      if (isClass(error, "NOT_FOUND")) return undefined;
      throw error;
    }
  }

  /** The restore job, or undefined on 404. */
  async #job(jobId: string): Promise<z.infer<typeof RestoreJob> | undefined> {
    try {
      const response = await this.#send({
        method: "GET",
        path: `/restore-jobs/${pathSegment("pinecone", "restore job id", jobId)}`,
      });
      return parseVendor("pinecone", "restore job", RestoreJob, response.body);
    } catch (error) {
      if (isClass(error, "NOT_FOUND")) return undefined;
      throw error;
    }
  }

  async #newestJobFor(indexName: string): Promise<z.infer<typeof RestoreJob> | undefined> {
    let newest: z.infer<typeof RestoreJob> | undefined;
    let token: string | undefined;
    for (let page = 0; ; page++) {
      if (page >= MAX_LIST_PAGES) {
        throw listingTooLong("pinecone", "restore job list", `${MAX_LIST_PAGES} pages`);
      }
      const response = await this.#send({
        method: "GET",
        path: "/restore-jobs",
        query: { limit: 100, paginationToken: token },
      });
      const list = parseVendor("pinecone", "restore job list", RestoreJobList, response.body);
      for (const job of list.data) {
        if (job.target_index_name !== indexName) continue;
        if (newest === undefined || createdAt(job) > createdAt(newest)) newest = job;
      }
      const next = list.pagination?.next ?? undefined;
      if (!next || next === token) return newest;
      token = next;
    }
  }
}

function parseDestination(destination: Record<string, unknown>) {
  const parsed = PineconeDestination.safeParse(destination);
  if (!parsed.success) {
    throw invalid(
      `not a Pinecone restore destination: ${parsed.error.issues.map((i) => i.message).join("; ")}`,
    );
  }
  return parsed.data;
}

/** Our restore id as a tag value (alphanumerics, '_' and '-' are allowed there). */
function ourRestoreId(restoreId: string): string {
  if (!OUR_RESTORE_ID.test(restoreId)) {
    throw invalid(`restore id ${JSON.stringify(restoreId.slice(0, 80))} cannot be a Pinecone tag`);
  }
  return restoreId;
}

function createdAt(job: z.infer<typeof RestoreJob>): number {
  const at = job.created_at ? Date.parse(job.created_at) : Number.NaN;
  return Number.isNaN(at) ? Number.NEGATIVE_INFINITY : at;
}

function nameTaken(indexName: string): ProviderError {
  return invalid(`a pinecone index named ${indexName} exists already; restore into a new name`);
}

function protectedIndex(indexName: string): ProviderError {
  return invalid(
    `pinecone index ${indexName} has deletion protection enabled; disable it (configure the index with deletion_protection "disabled") before deleting`,
  );
}

function invalid(message: string): ProviderError {
  return new ProviderError({ cls: "INVALID", provider: "pinecone", message });
}

function isClass(error: unknown, cls: ProviderError["cls"]): boolean {
  return error instanceof ProviderError && error.cls === cls;
}

function backupPath(backupId: string): string {
  return `/backups/${pathSegment("pinecone", "backup id", backupId)}`;
}

function indexPath(indexName: string): string {
  return `/indexes/${pathSegment("pinecone", "index name", indexName)}`;
}
