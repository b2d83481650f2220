import * as z from "zod";
import { ProviderError } from "../../core/provider-error.ts";
import { listingTooLong, parseVendor, pathSegment } from "../http.ts";
import {
  type BackupProvider,
  type BackupRef,
  type BackupState,
  type CommonStatus,
  ourLabel,
  ownerIdOfLabel,
  type VendorBackup,
  type VendorRestores,
} from "../port.ts";
import type { VendorModule } from "../vendor.ts";
import { HuaweiProvider, type HuaweiProviderOptions, parseVendorTime } from "./base.ts";
import { regionalHosts } from "./endpoints.ts";
import { TaurusDbRestores } from "./taurusdb-restores.ts";

/** Page size of the backup list (the API allows 1–100). */
export const TAURUSDB_PAGE_SIZE = 100;
/** A listing stops (failing) past this many backups, whatever `total_count` says. */
const TAURUSDB_MAX_BACKUPS = 100 * TAURUSDB_PAGE_SIZE;

/** Every backup we create is named with this prefix (names must start with a letter). */
export const TAURUSDB_NAME_PREFIX = "warden-";

const Backup = z.object({
  id: z.string(),
  name: z.string().nullish(),
  description: z.string().nullish(),
  status: z.string(),
  begin_time: z.string().nullish(),
  /** Megabytes. */
  size: z.number().nullish(),
  type: z.string().nullish(),
});
const CreateResponse = z.object({
  backup: Backup.extend({ status: z.string().nullish() }),
  job_id: z.string().nullish(),
});
const ListResponse = z.object({ backups: z.array(Backup).nullish(), total_count: z.number() });
const JobResponse = z.object({
  job: z.object({ id: z.string(), status: z.string(), fail_reason: z.string().nullish() }),
});

const BACKUP_STATUS: Record<string, CommonStatus> = {
  BUILDING: "RUNNING",
  COMPLETED: "AVAILABLE",
  AVAILABLE: "AVAILABLE",
  FAILED: "FAILED",
};
const JOB_STATUS: Record<string, CommonStatus> = {
  Pending: "PENDING",
  Unauthorized: "PENDING",
  Running: "RUNNING",
  Completed: "AVAILABLE",
  Failed: "FAILED",
  Canceled: "FAILED",
};

/**
 * The TaurusDB backup name for one of our backups: 4–64 of letters, digits, `-`, `_`,
 * starting with a letter (docs/providers.md §3.3).
 */
export function taurusDbBackupName(backupId: string): string {
  return `${TAURUSDB_NAME_PREFIX}${backupId.replace(/[^A-Za-z0-9_-]/g, "-")}`.slice(0, 64);
}

/** A listed backup's state (sizes are listed in MB). */
function listedState(backup: z.infer<typeof Backup>): BackupState {
  const status = BACKUP_STATUS[backup.status] ?? "RUNNING";
  return {
    status,
    providerStatus: backup.status,
    ...(status === "AVAILABLE" && typeof backup.size === "number"
      ? { sizeBytes: Math.round(backup.size * 1024 * 1024) }
      : {}),
    ...(status === "FAILED" ? { failureReason: "TaurusDB reports the backup as FAILED" } : {}),
  };
}

/** Our id from a `warden-` name, only in the exact shape of our generated ids (a ULID). */
function ownerIdOfName(name: string | null | undefined): string | undefined {
  const ulid = /^warden-bk_([0-9a-hjkmnp-tv-z]{26})$/.exec(name ?? "")?.[1];
  return ulid ? `bk_${ulid}` : undefined;
}

/**
 * Huawei Cloud TaurusDB (GaussDB for MySQL) manual backups over the v3 API
 * (docs/providers.md §3): create, the backup list as the authority (job as a fallback), and a
 * delete confirmed through the list, as the vendor's own Terraform provider does.
 */
export class TaurusDbProvider extends HuaweiProvider implements BackupProvider {
  readonly name = "huawei-taurusdb" as const;
  readonly labelsBackups = true;
  protected readonly providerName = "huawei-taurusdb";
  protected readonly service = "taurusdb" as const;
  readonly #instanceId: string;
  /** Secrets of calls in flight (a new instance's root password), scrubbed from vendor text. */
  readonly #inFlightSecrets = new Set<string>();
  /** Restores of this target's backups: a new instance, or over an existing one (§3.7). */
  readonly restores: VendorRestores;

  constructor(options: HuaweiProviderOptions & { instanceId: string }) {
    super(options);
    this.#instanceId = options.instanceId;
    this.restores = new TaurusDbRestores({
      providerName: this.providerName,
      projectPath: this.projectPath,
      instanceId: options.instanceId,
      region: options.region,
      send: (request) => this.send(request),
      vendorText: (text) => this.vendorText(text, 1000),
      withSecret: async (secret, call) => {
        this.#inFlightSecrets.add(secret);
        try {
          return await call();
        } finally {
          this.#inFlightSecrets.delete(secret);
        }
      },
      backupStatus: async (backupId) => (await this.#find(backupId))?.status,
    });
  }

  protected override secretValues(): readonly (string | undefined)[] {
    return [...super.secretValues(), ...this.#inFlightSecrets];
  }

  async createBackup({ backupId }: { backupId: string }) {
    const response = await this.send({
      method: "POST",
      path: `/v3/${this.projectPath}/backups/create`,
      body: {
        instance_id: this.#instanceId,
        name: taurusDbBackupName(backupId),
        description: ourLabel(backupId),
      },
    });
    const data = parseVendor(
      this.providerName,
      "create-backup response",
      CreateResponse,
      response.body,
    );
    const status = data.backup.status ?? "BUILDING";
    return {
      ref: {
        backupId: data.backup.id,
        resourceId: this.#instanceId,
        ...(data.job_id ? { jobId: data.job_id } : {}),
      },
      state: { status: BACKUP_STATUS[status] ?? "RUNNING", providerStatus: status },
    };
  }

  async getBackupStatus(ref: BackupRef): Promise<BackupState> {
    const backup = await this.#find(ref.backupId);
    if (backup) {
      const state = listedState(backup);
      if (state.status !== "FAILED") return state;
      const reason = ref.jobId ? (await this.#job(ref.jobId))?.fail_reason : undefined;
      return reason ? { ...state, failureReason: this.vendorText(reason) } : state;
    }
    // Not listed: either not visible yet (its job still runs), or gone. A failed job's
    // reason travels with DELETED, which the workflow reads as a failed creation.
    const job = ref.jobId ? await this.#job(ref.jobId) : undefined;
    const jobStatus = job ? JOB_STATUS[job.status] : undefined;
    if (job && (jobStatus === "PENDING" || jobStatus === "RUNNING")) {
      return { status: jobStatus, providerStatus: `job ${job.status}` };
    }
    if (job && jobStatus === "FAILED") {
      return {
        status: "DELETED",
        providerStatus: `job ${job.status}`,
        failureReason: this.vendorText(job.fail_reason || `backup job ${job.status}`),
      };
    }
    return { status: "DELETED", providerStatus: "NOT_LISTED" };
  }

  async deleteBackup(ref: BackupRef): Promise<{ status: "DELETED" | "DELETING" }> {
    try {
      await this.send({
        method: "DELETE",
        path: `/v3/${this.projectPath}/backups/${pathSegment(this.providerName, "backup id", ref.backupId)}`,
      });
    } catch (error) {
      // The not-found code is UNCONFIRMED (docs/providers.md §3.5): any client error is checked
      // against the list. Auth and throttling are not: the list would fail the same way.
      const confirmable =
        error instanceof ProviderError &&
        error.httpStatus !== undefined &&
        error.httpStatus >= 400 &&
        error.httpStatus < 500 &&
        ![401, 403, 429].includes(error.httpStatus);
      if (confirmable && (await this.#find(ref.backupId)) === undefined) {
        return { status: "DELETED" };
      }
      throw error;
    }
    // Deletion is asynchronous: the backup stays listed for a while.
    return { status: (await this.#find(ref.backupId)) ? "DELETING" : "DELETED" };
  }

  /**
   * The instance's backups, manual and automatic. No time filter is sent: whether
   * begin_time/end_time bound a backup's start or its end (null while BUILDING) is
   * UNCONFIRMED, so `since` (less a minute of slack for clock skew) is applied here.
   */
  async listBackups(options: { since?: Date } = {}): Promise<VendorBackup[]> {
    const from = options.since ? options.since.getTime() - 60_000 : Number.NEGATIVE_INFINITY;
    const found: VendorBackup[] = [];
    for (let offset = 0; ; offset += TAURUSDB_PAGE_SIZE) {
      if (offset >= TAURUSDB_MAX_BACKUPS)
        throw listingTooLong(
          this.providerName,
          `backup list of instance ${this.#instanceId}`,
          `${TAURUSDB_MAX_BACKUPS} backups`,
        );
      const page = await this.#list({
        instance_id: this.#instanceId,
        offset,
        limit: TAURUSDB_PAGE_SIZE,
      });
      for (const backup of page.backups ?? []) {
        const at = parseVendorTime(backup.begin_time);
        if (at !== undefined && at < from) continue;
        const ownerId = ownerIdOfLabel(backup.description) ?? ownerIdOfName(backup.name);
        found.push({
          ref: { backupId: backup.id, resourceId: this.#instanceId },
          state: listedState(backup),
          ...(at === undefined ? {} : { createdAt: new Date(at).toISOString() }),
          ...(ownerId ? { ownerId } : {}),
          automatic: backup.type === "auto",
          sameKind: true,
        });
      }
      if (!page.backups?.length || offset + TAURUSDB_PAGE_SIZE >= page.total_count) break;
    }
    return found;
  }

  /** The backup as listed, or `undefined` when the list has no such id. */
  async #find(backupId: string): Promise<z.infer<typeof Backup> | undefined> {
    const page = await this.#list({ backup_id: backupId });
    return page.total_count === 0 ? undefined : page.backups?.find((b) => b.id === backupId);
  }

  async #list(query: Record<string, string | number>): Promise<z.infer<typeof ListResponse>> {
    const response = await this.send({
      method: "GET",
      path: `/v3/${this.projectPath}/backups`,
      query,
    });
    return parseVendor(this.providerName, "backup list", ListResponse, response.body);
  }

  async #job(jobId: string): Promise<z.infer<typeof JobResponse>["job"] | undefined> {
    try {
      const response = await this.send({
        method: "GET",
        path: `/v3/${this.projectPath}/jobs`,
        query: { id: jobId },
      });
      return parseVendor(this.providerName, "job", JobResponse, response.body).job;
    } catch (error) {
      // Jobs become visible a few seconds late and age out after a month (§3.4).
      if (
        error instanceof ProviderError &&
        (error.cls === "NOT_FOUND" || error.cls === "INVALID")
      ) {
        return undefined;
      }
      throw error;
    }
  }
}

/** The TaurusDB entry of the provider registry. */
export const taurusDbModule: VendorModule<"huawei-taurusdb"> = {
  name: "huawei-taurusdb",
  ...regionalHosts("taurusdb"),
  create: ({ target, ...options }) =>
    new TaurusDbProvider({
      ...options,
      region: target.resource.region,
      projectId: target.resource.projectId,
      instanceId: target.resource.instanceId,
    }),
};
