import * as z from "zod";
import { ValidationError } from "../../core/errors.ts";
import { ProviderError } from "../../core/provider-error.ts";
import { DcsDestination } from "../../core/restore.ts";
import type { TargetOf } from "../../core/target.ts";
import { listingTooLong, parseVendor, pathSegment } from "../http.ts";
import {
  type BackupProvider,
  type BackupRef,
  type BackupState,
  type CommonStatus,
  ourLabel,
  ownerIdOfLabel,
  type RestoredResource,
  type RestoreRef,
  type RestoreState,
  type VendorBackup,
  type VendorRestores,
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
/** What a restore preview and `describe` read of the instance (ShowInstanceResponse; MB). */
const InstanceDetail = Instance.extend({
  name: z.string().nullish(),
  status: z.string().nullish(),
  engine: z.string().nullish(),
  engine_version: z.string().nullish(),
  capacity: z.number().nullish(),
  max_memory: z.number().nullish(),
  used_memory: z.number().nullish(),
});
type InstanceDetail = z.infer<typeof InstanceDetail>;

/**
 * A restore record (InstanceRestoreInfo). The documented example shows `error_code` and
 * `backup_remark` as `{}` where there is none, so only a string counts.
 */
const RestoreRecord = z.object({
  restore_id: z.string(),
  status: z.string(),
  progress: z.union([z.string(), z.number()]).nullish(),
  restore_remark: z.unknown(),
  error_code: z.unknown(),
});
type RestoreRecord = z.infer<typeof RestoreRecord>;
const RestoreListResponse = z.object({
  total_num: z.number().nullish(),
  restore_record_response: z.array(RestoreRecord).nullish(),
});
const RestoreResponse = z.object({ restore_id: z.string() });

/** Restore record statuses (docs/providers.md §4.6). */
const RESTORE_STATUS: Record<string, RestoreState["status"]> = {
  waiting: "RUNNING",
  restoring: "RUNNING",
  succeed: "RESTORED",
  failed: "FAILED",
};

/** Restore failure codes of the record, worded for a restore (ListRestoreRecords). */
const RESTORE_FAILURES: Record<string, string> = {
  "dcs.08.0001": "the backup and restoration tool failed to start",
  "dcs.08.0002": "the restore timed out",
  "dcs.08.0003": "deleting the OBS bucket failed",
  "dcs.08.0004": "fetching the AK/SK failed",
  "dcs.08.0005": "creating the OBS bucket failed",
  "dcs.08.0006": "querying the backup data size failed",
  "dcs.08.0007": "synchronising data during the restore failed",
  "dcs.08.0008": "not run because the instance was running another task",
};

/** A restore remark is at most 128 bytes (the DCS console; docs/providers.md §4.6). */
const RESTORE_REMARK_BYTES = 128;
/** Our restore id at the start of a restore remark we wrote. */
const OUR_RESTORE_REMARK = /^backup-warden (rs_[0-9a-z_-]{1,60})(?:\s|$)/;

/**
 * The remark of a restore we start: `backup-warden <restoreId>`, then the user's text
 * (cut, on a character boundary, to keep the whole within 128 bytes).
 */
export function restoreRemark(restoreId: string, userRemark?: string): string {
  const ours = `backup-warden ${restoreId}`;
  const text = userRemark?.trim();
  if (!text) return ours;
  let remark = `${ours} ${text}`;
  while (Buffer.byteLength(remark) > RESTORE_REMARK_BYTES)
    remark = [...remark].slice(0, -1).join("");
  return remark.trimEnd();
}

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

  /**
   * Restores (docs/providers.md §4.6): always over an existing instance, and only the
   * instance the backup was made of — DCS restores an instance from its own backup
   * records; copying a backup into another instance is a data migration (backup import),
   * which we do not drive.
   */
  readonly restores: VendorRestores = {
    preview: (backup, destination) => this.#previewRestore(backup, destination),
    start: (request) => this.#startRestore(request),
    status: (ref) => this.#restoreStatus(ref),
    describe: (ref) => this.#describeRestored(ref),
    deleteCreated: async (ref) => {
      throw new ProviderError({
        cls: "INVALID",
        provider: this.providerName,
        message:
          `DCS instance ${ref.resourceId} was not created by the restore: a DCS restore ` +
          "writes over an existing instance and never creates one, so there is nothing to delete",
      });
    },
    find: (restoreId, destination) => this.#findRestore(restoreId, destination),
  };

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

  #instancePath(
    version: "v2" | "v1.0" = this.#resource.apiVersion,
    instanceId: string = this.#resource.instanceId,
  ): string {
    return `/${version}/${this.projectPath}/instances/${pathSegment(this.providerName, "instance id", instanceId)}`;
  }

  /**
   * The destination's instance, refused (INVALID) unless it is the one the backup was
   * made of: RestoreInstance names the instance in its path and the backup record by id,
   * and DCS restores an instance only from its own backup records (docs/providers.md §4.6).
   */
  #destinationOf(backup: BackupRef, destination: Record<string, unknown>) {
    const parsed = DcsDestination.safeParse(destination);
    if (!parsed.success) {
      throw new ProviderError({
        cls: "INVALID",
        provider: this.providerName,
        message: "a DCS restore destination is {instanceId, remark?}",
      });
    }
    const { instanceId, remark } = parsed.data;
    if (instanceId !== backup.resourceId) {
      throw new ProviderError({
        cls: "INVALID",
        provider: this.providerName,
        message:
          `DCS restores a backup only into the instance it was made of: backup ` +
          `${backup.backupId} is of instance ${backup.resourceId}, not ${instanceId}. ` +
          "To copy it into another instance, use a DCS data migration (backup import), " +
          "which backup-warden does not drive",
      });
    }
    return { instanceId, remark };
  }

  /** `GET /v2/{project_id}/instances/{instance_id}` (for both generations, as at registration). */
  async #instanceDetail(instanceId: string): Promise<InstanceDetail> {
    const response = await this.send({ method: "GET", path: this.#instancePath("v2", instanceId) });
    return parseVendor(this.providerName, "instance", InstanceDetail, response.body);
  }

  /**
   * Checks, without changing anything, what RestoreInstance would refuse: the instance
   * missing (NOT_FOUND), single-node (INVALID) or not RUNNING (CONFLICT); the backup not
   * listed (NOT_FOUND) or not `succeed` (INVALID, as DCS.4087); another backup running
   * (CONFLICT, as DCS.4096). Then says what the restore would overwrite.
   */
  async #previewRestore(backup: BackupRef, destination: Record<string, unknown>) {
    const { instanceId } = this.#destinationOf(backup, destination);
    const instance = await this.#instanceDetail(instanceId);
    const refuse = (cls: "INVALID" | "CONFLICT" | "NOT_FOUND", message: string) =>
      new ProviderError({ cls, provider: this.providerName, message });
    if (isSingleNode(instance))
      throw refuse("INVALID", `DCS instance ${instanceId} is single-node: it cannot be restored`);
    const status = instance.status ?? "UNKNOWN";
    if (status !== "RUNNING") {
      throw refuse(
        "CONFLICT",
        `DCS instance ${instanceId} is ${this.vendorText(status, 40)}, not RUNNING: try again once it is`,
      );
    }
    let record: BackupRecord | undefined;
    let running = false;
    for await (const r of this.#records({})) {
      if (r.backup_id === backup.backupId) record = r;
      if (r.status === "waiting" || r.status === "backuping") running = true;
    }
    if (!record || STATUS[record.status] === "DELETED")
      throw refuse("NOT_FOUND", `DCS instance ${instanceId} has no backup ${backup.backupId}`);
    if (record.status !== "succeed") {
      throw refuse(
        "INVALID",
        `backup ${backup.backupId} is ${this.vendorText(record.status, 40)}: DCS restores only a succeed backup`,
      );
    }
    if (running)
      throw refuse("CONFLICT", `DCS instance ${instanceId} is being backed up: try again later`);
    return {
      overwrites: {
        resourceId: instanceId,
        summary: overwriteSummary(instanceId, instance, (t) => this.vendorText(t, 80)),
      },
    };
  }

  async #startRestore(request: {
    restoreId: string;
    backup: BackupRef;
    destination: Record<string, unknown>;
  }): Promise<{ ref: RestoreRef; state: RestoreState }> {
    const { instanceId, remark } = this.#destinationOf(request.backup, request.destination);
    const response = await this.send({
      method: "POST",
      path: `${this.#instancePath(undefined, instanceId)}/restores`,
      body: {
        backup_id: request.backup.backupId,
        remark: restoreRemark(request.restoreId, remark),
      },
    });
    const data = parseVendor(this.providerName, "restore response", RestoreResponse, response.body);
    return {
      ref: { jobId: data.restore_id, resourceId: instanceId, created: false },
      state: { status: "RUNNING", providerStatus: "waiting" },
    };
  }

  /** The record `ref.jobId` (its `restore_id`) among the instance's; not listed is FAILED. */
  async #restoreStatus(ref: RestoreRef): Promise<RestoreState> {
    for await (const record of this.#restoreRecords(ref.resourceId)) {
      if (record.restore_id === ref.jobId) return restoreStateOf(record, (t) => this.vendorText(t));
    }
    return {
      status: "FAILED",
      providerStatus: "NOT_LISTED",
      failureReason: `DCS instance ${ref.resourceId} lists no restore record ${ref.jobId}`,
    };
  }

  /** The instance now: healthy when RUNNING; `used_memory` (MB) as its size. */
  async #describeRestored(ref: RestoreRef): Promise<RestoredResource> {
    let instance: InstanceDetail;
    try {
      instance = await this.#instanceDetail(ref.resourceId);
    } catch (error) {
      if (error instanceof ProviderError && error.cls === "NOT_FOUND")
        return { exists: false, healthy: false, providerStatus: "NOT_FOUND" };
      throw error;
    }
    const status = instance.status ?? "UNKNOWN";
    return {
      exists: true,
      healthy: status === "RUNNING",
      providerStatus: status,
      ...(typeof instance.used_memory === "number"
        ? { sizeBytes: instance.used_memory * 1024 * 1024 }
        : {}),
    };
  }

  /** Our restore, by the `backup-warden <restoreId>` that starts its remark. */
  async #findRestore(
    restoreId: string,
    destination: Record<string, unknown>,
  ): Promise<RestoreRef | undefined> {
    const parsed = DcsDestination.safeParse(destination);
    if (!parsed.success) return undefined;
    const { instanceId } = parsed.data;
    for await (const record of this.#restoreRecords(instanceId)) {
      const remark = typeof record.restore_remark === "string" ? record.restore_remark : "";
      if (OUR_RESTORE_REMARK.exec(remark)?.[1] === restoreId)
        return { jobId: record.restore_id, resourceId: instanceId, created: false };
    }
    return undefined;
  }

  /**
   * Every restore record of an instance, page by page (v2 `offset`, v1.0 1-based `start`,
   * as the backup records); a short page ends the scan.
   */
  async *#restoreRecords(instanceId: string): AsyncGenerator<RestoreRecord> {
    const v1 = this.#resource.apiVersion === "v1.0";
    for (let offset = 0; ; offset += DCS_PAGE_SIZE) {
      if (offset >= DCS_MAX_RECORDS)
        throw listingTooLong(
          this.providerName,
          `restore record list of instance ${instanceId}`,
          `${DCS_MAX_RECORDS} records`,
        );
      const response = await this.send({
        method: "GET",
        path: `${this.#instancePath(undefined, instanceId)}/restores`,
        query: v1 ? { start: offset + 1, limit: DCS_PAGE_SIZE } : { offset, limit: DCS_PAGE_SIZE },
      });
      // UNCONFIRMED: whether an instance without records answers 204 as the backup list does.
      const page =
        response.status === 204
          ? {}
          : parseVendor(this.providerName, "restore list", RestoreListResponse, response.body);
      const records = page.restore_record_response ?? [];
      yield* records;
      if (records.length < DCS_PAGE_SIZE) return;
    }
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

/** A restore record's state; `text` scrubs what the vendor wrote before it enters a message. */
function restoreStateOf(record: RestoreRecord, text: (vendorText: string) => string): RestoreState {
  const status = RESTORE_STATUS[record.status] ?? "RUNNING";
  const progress = Number.parseFloat(String(record.progress ?? ""));
  const code = typeof record.error_code === "string" && record.error_code ? record.error_code : "";
  const failure = code
    ? `${text(code)}: ${RESTORE_FAILURES[code] ?? "restore failed"}`
    : "DCS reports the restore as failed";
  return {
    status,
    providerStatus: record.status,
    ...(Number.isFinite(progress) ? { progress } : {}),
    ...(status === "FAILED" ? { failureReason: failure } : {}),
  };
}

/** What a restore over `instance` replaces, in words (at most 1000 characters). */
function overwriteSummary(
  instanceId: string,
  instance: InstanceDetail,
  text: (vendorText: string) => string,
): string {
  const name = instance.name ? `"${text(instance.name)}" (${instanceId})` : instanceId;
  const engine = [instance.engine ?? "Redis", instance.engine_version]
    .filter(Boolean)
    .map((part) => text(String(part)))
    .join(" ");
  const mode = instance.cache_mode ? `, ${text(instance.cache_mode)}` : "";
  const capacity = typeof instance.capacity === "number" ? `, ${instance.capacity} GB` : "";
  const used =
    typeof instance.used_memory === "number"
      ? ` It now holds ${instance.used_memory} MB${
          typeof instance.max_memory === "number" ? ` of ${instance.max_memory} MB` : ""
        } of data (DCS reports no key count).`
      : "";
  return (
    `Replaces ALL data of DCS instance ${name}, ${engine}${mode}${capacity}, with the backup's.` +
    `${used} The instance serves no reads or writes until the restore ends.`
  ).slice(0, 1000);
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
