import * as z from "zod";
import { ProviderError } from "../../core/provider-error.ts";
import type { TargetOf } from "../../core/target.ts";
import type { ApiKeySecret } from "../../core/vendors.ts";
import type { HttpProviderOptions, VendorRequest, VendorResponse } from "../http.ts";
import { HttpProvider, listingTooLong, parseVendor, pathSegment } from "../http.ts";
import type {
  BackupProvider,
  BackupRef,
  BackupState,
  VendorBackup,
  VendorRestores,
} from "../port.ts";
import { CLUSTER_NOT_FOUND, classifyZillizError } from "./errors.ts";
import { ZillizRestores } from "./restores.ts";

const Envelope = z.object({
  code: z.number(),
  message: z.string().optional(),
  data: z.unknown().optional(),
});
const CreateData = z.object({
  backupId: z.string(),
  backupName: z.string().optional(),
  jobId: z.string(),
});
const JobData = z.object({
  jobId: z.string(),
  status: z.string(),
  progress: z.union([z.string(), z.number()]).nullish(),
  reason: z.string().nullish(),
});
const BackupData = z.object({
  backupId: z.string(),
  status: z.string(),
  size: z.number().nullish(),
  createTime: z.string().nullish(),
  backupType: z.string().nullish(),
  creationMethod: z.string().nullish(),
});
const ListData = z.object({ count: z.number(), backups: z.array(BackupData) });

/** The most list pages a listing reads (100 backups each) before it gives up. */
const MAX_LIST_PAGES = 100;

const JOB_STATUS: Record<string, BackupState["status"]> = {
  PENDING: "PENDING",
  IN_PROGRESS: "RUNNING",
  CANCELING: "RUNNING",
  SUCCESSFUL: "AVAILABLE",
  FAILED: "FAILED",
  CANCELED: "FAILED",
  CANCELLED: "FAILED",
};
const BACKUP_STATUS: Record<string, BackupState["status"]> = {
  CREATING: "RUNNING",
  AVAILABLE: "AVAILABLE",
  DELETED: "DELETED",
};

/**
 * Zilliz Cloud control plane (REST v2) with plain fetch: no SDK covers it
 * (docs/providers.md §1.6). Cluster and collection backups, job polling then describe,
 * idempotent delete; restores in `restores.ts`.
 */
export class ZillizProvider extends HttpProvider implements BackupProvider {
  readonly name = "zilliz" as const;
  readonly labelsBackups = false;
  protected readonly providerName = "zilliz";
  readonly #credentials: ApiKeySecret;
  readonly #target: TargetOf<"zilliz">;
  /** Restore into a new cluster or into an existing one's collections (docs/providers.md §1.7). */
  readonly restores: VendorRestores;

  constructor(
    options: HttpProviderOptions & { credentials: ApiKeySecret; target: TargetOf<"zilliz"> },
  ) {
    super(options);
    this.#credentials = options.credentials;
    this.#target = options.target;
    this.restores = new ZillizRestores(
      {
        data: (request, schema, what) => this.#data(request, schema, what),
        text: (text, max) => this.vendorText(text, max),
      },
      options.target,
    );
  }

  protected authHeaders(): Record<string, string> {
    return { authorization: `Bearer ${this.#credentials.apiKey}` };
  }

  protected secretValues(): readonly string[] {
    return [this.#credentials.apiKey];
  }

  protected check(response: VendorResponse, _request: VendorRequest): VendorResponse {
    const envelope = Envelope.safeParse(response.body);
    if (response.status < 400 && envelope.success && envelope.data.code === 0) return response;
    const code = envelope.success ? envelope.data.code : undefined;
    const message = envelope.success ? envelope.data.message : undefined;
    throw this.fail(response, classifyZillizError(response.status, code, message), {
      code,
      message,
    });
  }

  async #data<T>(request: VendorRequest, schema: z.ZodType<T>, what: string): Promise<T> {
    const response = await this.send(request);
    return parseVendor("zilliz", what, schema, (response.body as { data?: unknown }).data);
  }

  async createBackup(): Promise<{ ref: BackupRef; state: BackupState }> {
    const { clusterId, scope } = this.#target.resource;
    const body =
      scope.type === "CLUSTER"
        ? { backupType: "CLUSTER" }
        : {
            backupType: "COLLECTION",
            dbCollections: [
              {
                ...(scope.dbName ? { dbName: scope.dbName } : {}),
                collectionNames: scope.collections,
              },
            ],
          };
    const data = await this.#data(
      {
        method: "POST",
        path: `/v2/clusters/${pathSegment("zilliz", "cluster id", clusterId)}/backups/create`,
        body,
      },
      CreateData,
      "create-backup response",
    );
    return {
      ref: { backupId: data.backupId, resourceId: clusterId, jobId: data.jobId },
      state: { status: "PENDING", providerStatus: "PENDING" },
    };
  }

  async getBackupStatus(ref: BackupRef): Promise<BackupState> {
    if (ref.jobId) {
      const job = await this.#job(ref.jobId);
      if (job && job.status !== "SUCCESSFUL") {
        const status = JOB_STATUS[job.status] ?? "RUNNING";
        const progress = Number(job.progress);
        return {
          status,
          providerStatus: `job ${job.status}`,
          ...(Number.isFinite(progress) && job.progress !== null && job.progress !== undefined
            ? { progress }
            : {}),
          ...(status === "FAILED"
            ? { failureReason: this.vendorText(job.reason || `job ${job.status}`) }
            : {}),
        };
      }
    }
    return this.#describe(ref);
  }

  async deleteBackup(ref: BackupRef): Promise<{ status: "DELETED" | "DELETING" }> {
    try {
      await this.send({ method: "DELETE", path: this.#backupPath(ref) });
    } catch (error) {
      if (this.#backupGone(error)) return { status: "DELETED" };
      throw error;
    }
    const state = await this.#describe(ref);
    return { status: state.status === "DELETED" ? "DELETED" : "DELETING" };
  }

  /**
   * The cluster's backups, manual and automatic. With `since`, the documented `startTime`
   * filter bounds the listing (a minute earlier, for clock skew) rather than an assumed
   * newest-first order. Zilliz names backups itself, so no backup carries our id.
   */
  async listBackups(options: { since?: Date } = {}): Promise<VendorBackup[]> {
    const { clusterId, scope } = this.#target.resource;
    const startTime = options.since
      ? new Date(options.since.getTime() - 60_000).toISOString().replace(/\.\d{3}Z$/, "Z")
      : undefined;
    const found: VendorBackup[] = [];
    for (let page = 1; ; page++) {
      if (page > MAX_LIST_PAGES)
        throw listingTooLong(
          "zilliz",
          `backup list of cluster ${clusterId}`,
          `${MAX_LIST_PAGES * 100} backups`,
        );
      const data = await this.#data(
        {
          method: "GET",
          path: "/v2/backups",
          query: { clusterId, pageSize: 100, currentPage: page, startTime },
        },
        ListData,
        "backup list",
      );
      for (const b of data.backups) {
        found.push({
          ref: { backupId: b.backupId, resourceId: clusterId },
          state: this.#stateOf(b),
          ...(b.createTime ? { createdAt: b.createTime } : {}),
          automatic: b.creationMethod === "AUTO",
          sameKind: !b.backupType || b.backupType === scope.type,
        });
      }
      if (data.backups.length < 100 || page * 100 >= data.count) break;
    }
    return found;
  }

  async #job(jobId: string): Promise<z.infer<typeof JobData> | undefined> {
    try {
      return await this.#data(
        { method: "GET", path: `/v2/jobs/${pathSegment("zilliz", "job id", jobId)}` },
        JobData,
        "job",
      );
    } catch (error) {
      // Jobs may age out; the backup itself is then the authority.
      if (error instanceof ProviderError && error.cls === "NOT_FOUND") return undefined;
      throw error;
    }
  }

  async #describe(ref: BackupRef): Promise<BackupState> {
    try {
      const backup = await this.#data(
        { method: "GET", path: this.#backupPath(ref) },
        BackupData,
        "backup",
      );
      return this.#stateOf(backup);
    } catch (error) {
      if (this.#backupGone(error)) return { status: "DELETED", providerStatus: "NOT_FOUND" };
      throw error;
    }
  }

  #stateOf(backup: z.infer<typeof BackupData>): BackupState {
    return {
      status: BACKUP_STATUS[backup.status] ?? "RUNNING",
      providerStatus: backup.status,
      ...(typeof backup.size === "number" ? { sizeBytes: backup.size } : {}),
    };
  }

  /** Only "this backup does not exist" means gone: a missing cluster does not. */
  #backupGone(error: unknown): boolean {
    return (
      error instanceof ProviderError &&
      error.cls === "NOT_FOUND" &&
      error.providerCode !== String(CLUSTER_NOT_FOUND)
    );
  }

  #backupPath(ref: BackupRef): string {
    return `/v2/clusters/${pathSegment("zilliz", "cluster id", ref.resourceId)}/backups/${pathSegment("zilliz", "backup id", ref.backupId)}`;
  }
}
