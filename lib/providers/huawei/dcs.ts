import * as z from "zod";
import { ValidationError } from "../../core/errors.ts";
import { ProviderError } from "../../core/provider-error.ts";
import type { TargetOf } from "../../core/target.ts";
import { listingTooLong, parseVendor, pathSegment } from "../http.ts";
import {
  type BackupProvider,
  type BackupRef,
  type BackupState,
  type CommonStatus,
  ourLabel,
  ownerIdOfLabel,
  type VendorBackup,
} from "../port.ts";
import type { VendorModule } from "../vendor.ts";
import {
  compactUtcTime,
  HuaweiProvider,
  type HuaweiProviderOptions,
  parseVendorTime,
} from "./base.ts";
import { regionalHosts } from "./endpoints.ts";

/** Page size of the backup-record scan (v2 allows 1–1000). */
export const DCS_PAGE_SIZE = 100;
/** A scan stops (failing) past this many records: a vendor ignoring `offset` never ends. */
const DCS_MAX_RECORDS = 100 * DCS_PAGE_SIZE;

const BackupRecord = z.object({
  backup_id: z.string(),
  status: z.string(),
  size: z.number().nullish(),
  progress: z.union([z.string(), z.number()]).nullish(),
  created_at: z.string().nullish(),
  backup_type: z.string().nullish(),
  remark: z.string().nullish(),
  error_code: z.string().nullish(),
});
type BackupRecord = z.infer<typeof BackupRecord>;
const ListResponse = z.object({
  total_num: z.number().nullish(),
  backup_record_response: z.array(BackupRecord).nullish(),
});
const CreateResponse = z.object({ backup_id: z.string() });
/** The instance fields that tell its type (see {@link isSingleNode}). */
const Instance = z.object({ cache_mode: z.string().nullish(), spec_code: z.string().nullish() });

const STATUS: Record<string, CommonStatus> = {
  waiting: "PENDING",
  backuping: "RUNNING",
  succeed: "AVAILABLE",
  failed: "FAILED",
  expired: "DELETED",
  deleted: "DELETED",
};

/** Backup failure codes of the record (docs/providers.md §4.2). */
const FAILURES: Record<string, string> = {
  "dcs.08.0001": "the backup tool failed to start",
  "dcs.08.0002": "the backup timed out",
  "dcs.08.0003": "deleting the OBS bucket failed",
  "dcs.08.0004": "fetching the AK/SK failed",
  "dcs.08.0005": "creating the OBS bucket failed",
  "dcs.08.0006": "querying the backup size failed",
  "dcs.08.0007": "restore synchronisation failed",
  "dcs.08.0008": "skipped because another task was running",
};

/**
 * Whether a DCS instance is single-node, which cannot be backed up (docs/providers.md §4.5).
 *
 * `cache_mode` of `GET /v2/{project_id}/instances/{instance_id}` is `single`, `ha`,
 * `cluster`, `proxy` or `ha_rw_split` (the vendor Terraform provider reads it from that
 * response; the SDK's ShowInstanceResponse model lacks it). When it is absent, the flavour
 * code decides: single-node flavours read `redis.single.*` (v2) or `dcs.single_node` (3.0).
 * ASSUMPTION: neither field present ⇒ not refused (the vendor then answers DCS.4095).
 */
export function isSingleNode(instance: z.infer<typeof Instance>): boolean {
  if (instance.cache_mode) return instance.cache_mode === "single";
  return /(^|\.)single(\.|_node|$)/.test(instance.spec_code ?? "");
}

/**
 * Huawei Cloud DCS (Redis) backups (docs/providers.md §4): v2 by default, the historical v1.0
 * API when the target asks for it. There is no single-backup GET: a backup is found by
 * paging the instance's records. Deletion is asynchronous (the record turns `deleted`).
 */
export class DcsProvider extends HuaweiProvider implements BackupProvider {
  readonly name = "huawei-dcs" as const;
  readonly labelsBackups = true;
  protected readonly providerName = "huawei-dcs";
  protected readonly service = "dcs" as const;
  readonly #resource: TargetOf<"huawei-dcs">["resource"];

  constructor(options: HuaweiProviderOptions & { resource: TargetOf<"huawei-dcs">["resource"] }) {
    super(options);
    this.#resource = options.resource;
  }

  /** Refuses a missing instance or a single-node one, with a message saying what to do. */
  async validateTarget(): Promise<void> {
    const { instanceId, region } = this.#resource;
    let body: unknown;
    try {
      // v2 for both API generations: the check needs `cache_mode`, a v2 field.
      body = (await this.send({ method: "GET", path: this.#instancePath("v2") })).body;
    } catch (error) {
      if (error instanceof ProviderError && error.cls === "NOT_FOUND") {
        throw new ValidationError(`DCS instance ${instanceId} does not exist`, [
          {
            path: "resource.instanceId",
            message: `no such instance in project ${this.projectId} of ${region}`,
          },
        ]);
      }
      throw error;
    }
    const instance = parseVendor(this.providerName, "instance", Instance, body);
    if (isSingleNode(instance)) {
      throw new ValidationError(`DCS instance ${instanceId} is a single-node instance`, [
        {
          path: "resource.instanceId",
          message:
            "single-node DCS instances do not support backups; use a master/standby or cluster " +
            "(Proxy or Redis Cluster) instance, or change this instance's type first",
        },
      ]);
    }
  }

  async createBackup({ backupId }: { backupId: string }) {
    const format = this.#resource.backupFormat;
    const response = await this.send({
      method: "POST",
      path: `${this.#instancePath()}/backups`,
      body: {
        remark: ourLabel(backupId),
        // `backup_format` exists in v2 only (and only for Redis 4.0+).
        ...(format && this.#resource.apiVersion === "v2" ? { backup_format: format } : {}),
      },
    });
    const data = parseVendor(
      this.providerName,
      "create-backup response",
      CreateResponse,
      response.body,
    );
    return {
      ref: { backupId: data.backup_id, resourceId: this.#resource.instanceId },
      state: { status: "PENDING" as const, providerStatus: "waiting" },
    };
  }

  async getBackupStatus(ref: BackupRef): Promise<BackupState> {
    for await (const record of this.#records({})) {
      if (record.backup_id === ref.backupId)
        return stateOf(record, (text) => this.vendorText(text));
    }
    return { status: "DELETED", providerStatus: "NOT_LISTED" };
  }

  async deleteBackup(ref: BackupRef): Promise<{ status: "DELETED" | "DELETING" }> {
    try {
      // v2 answers 204 without a body, v1.0 200 `{"message": ""}` (seed 004).
      await this.send({
        method: "DELETE",
        path: `${this.#instancePath()}/backups/${pathSegment(this.providerName, "backup id", ref.backupId)}`,
      });
    } catch (error) {
      if (error instanceof ProviderError && error.providerCode === "DCS.4031") {
        return { status: "DELETED" };
      }
      throw error;
    }
    // The record stays listed (`succeed`, then `deleted`): polling takes it from here.
    return { status: "DELETING" };
  }

  /**
   * The instance's backup records, manual and automatic, bounded by `begin_time` (a
   * minute before `since`, for clock skew) when given. Ours carry our id in the remark.
   */
  async listBackups(options: { since?: Date } = {}): Promise<VendorBackup[]> {
    const from = options.since ? new Date(options.since.getTime() - 60_000) : undefined;
    const found: VendorBackup[] = [];
    for await (const record of this.#records(from ? { from } : {})) {
      const state = stateOf(record, (text) => this.vendorText(text));
      // A deleted record stays listed for a while: the vendor no longer holds the backup.
      if (state.status === "DELETED") continue;
      const at = parseVendorTime(record.created_at);
      const automatic = record.backup_type === "auto";
      const ownerId = automatic ? undefined : ownerIdOfLabel(record.remark);
      found.push({
        ref: { backupId: record.backup_id, resourceId: this.#resource.instanceId },
        state,
        ...(at === undefined ? {} : { createdAt: new Date(at).toISOString() }),
        ...(ownerId ? { ownerId } : {}),
        automatic,
        sameKind: true,
      });
    }
    return found;
  }

  /**
   * Every backup record of the instance, page by page. A page shorter than asked for ends
   * the scan: whether `total_num` counts all records or the page is UNCONFIRMED.
   */
  async *#records(options: { from?: Date }): AsyncGenerator<BackupRecord> {
    const v1 = this.#resource.apiVersion === "v1.0";
    const begin = options.from ? compactUtcTime(options.from) : undefined;
    for (let offset = 0; ; offset += DCS_PAGE_SIZE) {
      if (offset >= DCS_MAX_RECORDS)
        throw listingTooLong(
          this.providerName,
          `backup record list of instance ${this.#resource.instanceId}`,
          `${DCS_MAX_RECORDS} records`,
        );
      const response = await this.send({
        method: "GET",
        path: `${this.#instancePath()}/backups`,
        // v1.0: `start` is the 1-based sequence number of the first record.
        query: v1
          ? { start: offset + 1, limit: DCS_PAGE_SIZE, beginTime: begin }
          : { offset, limit: DCS_PAGE_SIZE, begin_time: begin },
      });
      // The list is documented to answer 204 when the instance has no backup record.
      const page =
        response.status === 204
          ? {}
          : parseVendor(this.providerName, "backup list", ListResponse, response.body);
      const records = page.backup_record_response ?? [];
      yield* records;
      if (records.length < DCS_PAGE_SIZE) return;
    }
  }

  #instancePath(version: "v2" | "v1.0" = this.#resource.apiVersion): string {
    return `/${version}/${this.projectPath}/instances/${pathSegment(this.providerName, "instance id", this.#resource.instanceId)}`;
  }
}

/** `text` scrubs what the vendor wrote (its error code) before it enters a message. */
function stateOf(record: BackupRecord, text: (vendorText: string) => string): BackupState {
  const status = STATUS[record.status] ?? "RUNNING";
  const progress = Number.parseFloat(String(record.progress ?? ""));
  const failure = record.error_code
    ? `${text(record.error_code)}: ${FAILURES[record.error_code] ?? "backup failed"}`
    : "DCS reports the backup as failed";
  return {
    status,
    providerStatus: record.status,
    ...(Number.isFinite(progress) && status !== "DELETED" ? { progress } : {}),
    ...(status === "AVAILABLE" && typeof record.size === "number"
      ? { sizeBytes: record.size }
      : {}),
    ...(status === "FAILED" ? { failureReason: failure } : {}),
  };
}

/** The DCS entry of the provider registry. */
export const dcsModule: VendorModule<"huawei-dcs"> = {
  name: "huawei-dcs",
  ...regionalHosts("dcs"),
  create: ({ target, ...options }) =>
    new DcsProvider({
      ...options,
      region: target.resource.region,
      projectId: target.resource.projectId,
      resource: target.resource,
    }),
};
