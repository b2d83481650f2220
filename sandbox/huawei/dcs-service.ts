import { randomInt, randomUUID } from "node:crypto";
import * as z from "zod";
import type { FaultTarget } from "../fault-queue.ts";
import type { SimResponse } from "../http-sim-types.ts";
import type { BackupSeeder, InventoryEntry, SeedResult } from "../vendor-hooks.ts";
import {
  type DcsInstance,
  type DcsState,
  dcsRestoreStatusAt,
  dcsStatusAt,
  dcsTime,
  parseDcsListQuery,
  type StoredDcsBackup,
  type StoredDcsRestore,
} from "./dcs-model.ts";
import { huaweiError } from "./envelope.ts";
import {
  type HuaweiBackupService,
  type HuaweiServiceOptions,
  huaweiDump,
  seedFinishedBackups,
} from "./model.ts";

/** DCS-only fault: the next backup created on a matching request ends `failed`. */
export interface FailNextDcsBackupFault {
  kind: "fail-next-backup";
  /** The record's `error_code`; default `dcs.08.0002` (execution timed out). */
  errorCode?: string;
}

/**
 * DCS-only fault: the next restore started on a matching request ends `failed`, its record
 * carrying `reason` as `error_code` (the only failure detail a restore record has).
 */
export interface FailNextDcsRestoreFault {
  kind: "fail-next-restore";
  /** The record's `error_code`; default `dcs.08.0007` (syncing data during the restore failed). */
  reason?: string;
}

/** The DCS simulator's own fault kinds. */
export type DcsFault = FailNextDcsBackupFault | FailNextDcsRestoreFault;

/** The API generation of a request, from its path. */
export type DcsApiVersion = "v2" | "v1.0";

/** Error codes the simulator answers with (docs/providers.md §4.4 unless marked). */
export const DCS_CODES = {
  projectMismatch: "DCS.1004",
  instanceNotFound: "DCS.3022",
  /** ASSUMPTION (UNCONFIRMED): also a restore naming a backup the instance does not hold. */
  backupNotFound: "DCS.4031",
  backingUp: "DCS.4096",
  /** The instance is being restored (a backup or another restore is refused). */
  restoring: "DCS.4097",
  /** A restore from a backup record that is not `succeed`. */
  backupNotSucceeded: "DCS.4087",
  /** ASSUMPTION (UNCONFIRMED): single-node refusal uses "backup/restore not supported". */
  notSupported: "DCS.4095",
  /** ASSUMPTION (UNCONFIRMED): generic invalid parameter. */
  invalidParameter: "DCS.4800",
} as const;

/** Body of `POST /__sandbox/backups` (and input of `sim.seedBackup`) on the DCS simulator. */
export const dcsSeedSchema = z.strictObject({
  instanceId: z.string().min(1),
  remark: z.string().max(128).default(""),
  backupType: z.enum(["manual", "auto"]).default("manual"),
});

/** Everything the DCS behaviour depends on. */
export type DcsServiceOptions = HuaweiServiceOptions<StoredDcsBackup, DcsFault, DcsInstance> & {
  /** Time from a restore's start until its record is `succeed` (or `failed`). */
  restoreDurationMs: number;
};

/** Share of an instance's capacity its data takes when the instance does not say. */
const DEFAULT_USED_SHARE = 0.05;

/** The DCS backup behaviour of both API generations, free of HTTP. */
export class DcsService implements HuaweiBackupService {
  readonly #o: DcsServiceOptions;
  /** Creates `succeed` records directly in the model (`POST /__sandbox/backups`). */
  readonly seeder: BackupSeeder<typeof dcsSeedSchema> = {
    schema: dcsSeedSchema,
    seed: (input) => this.#seed(input),
  };

  constructor(options: DcsServiceOptions) {
    this.#o = options;
    // A fresh state (or one from before restores) has neither list yet.
    const state = options.state as Partial<DcsState>;
    state.restores ??= [];
    state.instanceData ??= {};
  }

  get #state(): DcsState {
    return this.#o.state as DcsState;
  }

  /** `GET /v2/{project_id}/instances/{instance_id}` (the fields that matter here). */
  instance(instanceId: string): SimResponse {
    const instance = this.#instance(instanceId);
    if (!instance) return notFound();
    const now = this.#o.now();
    return {
      status: 200,
      body: {
        instance_id: instance.instanceId,
        name: instance.name,
        engine: "Redis",
        engine_version: "5.0",
        cache_mode: instance.cacheMode,
        spec_code: instance.specCode,
        capacity: instance.capacity,
        // MB, as ShowInstanceResponse documents them.
        max_memory: instance.capacity * 1024,
        used_memory: this.#usedMemoryAt(instance, now),
        // ASSUMPTION: RESTORING from the restore's start to its end (documented status).
        status: this.#restoring(instanceId, now) ? "RESTORING" : "RUNNING",
        created_at: dcsTime(Date.parse("2025-06-01T08:00:00Z")),
      },
    };
  }

  /** `POST /{v}/{project_id}/instances/{instance_id}/backups` → 200 `{backup_id}`. */
  create(
    version: DcsApiVersion,
    instanceId: string,
    body: unknown,
    target: FaultTarget,
  ): SimResponse {
    const instance = this.#instance(instanceId);
    if (!instance) return notFound();
    const input = (body ?? {}) as { remark?: unknown; backup_format?: unknown };
    if (
      input.remark !== undefined &&
      (typeof input.remark !== "string" || input.remark.length > 128)
    ) {
      return invalid("remark must be a string of at most 128 characters");
    }
    const format = input.backup_format ?? "rdb";
    if (version === "v1.0" && input.backup_format !== undefined)
      return invalid("backup_format is a v2 field");
    if (format !== "rdb" && format !== "aof") return invalid("backup_format must be rdb or aof");
    if (instance.cacheMode === "single") {
      return huaweiError(
        400,
        DCS_CODES.notSupported,
        "Single-node instances do not support backup and restoration.",
      );
    }
    const now = this.#o.now();
    const busy = this.#o.state.backups.some((b) => {
      const { status } = this.#status(b, now);
      return b.instanceId === instanceId && (status === "waiting" || status === "backuping");
    });
    if (busy) return huaweiError(400, DCS_CODES.backingUp, "The instance is being backed up.");
    if (this.#restoring(instanceId, now)) return restoring();
    const fault = this.#o.faults.take("fail-next-backup", target);
    const state = this.#o.state;
    state.seq += 1;
    const backup: StoredDcsBackup = {
      backupId: randomUUID(),
      backupName: `backup_${dcsTime(now).replace(/\D/g, "").slice(0, 14)}`,
      instanceId,
      remark: (input.remark as string | undefined) ?? "",
      backupType: "manual",
      format,
      seq: state.seq,
      createdAt: now,
      durationMs: this.#o.jobDurationMs,
      failCode: fault ? (fault.errorCode ?? "dcs.08.0002") : null,
      sizeBytes: randomInt(1_000_000, 2_000_000_000),
      usedMemoryMb: this.#usedMemoryAt(instance, now),
      deletedAt: null,
    };
    state.backups.push(backup);
    this.#o.save();
    return { status: 200, body: { backup_id: backup.backupId } };
  }

  /**
   * `POST /{v}/{project_id}/instances/{instance_id}/restores` `{backup_id, remark?}` →
   * 200 `{restore_id}`: the backup's data replaces the instance's when the record turns
   * `succeed`. Only a backup record of this very instance is accepted (the console
   * restores from the instance's own backup list; ASSUMPTION: another instance's backup,
   * or an unknown one, is answered like a missing record, DCS.4031). A backup that is not
   * `succeed` is DCS.4087; checked before the instance being busy, since a backup still
   * being made always keeps its own instance busy.
   */
  restore(
    _version: DcsApiVersion,
    instanceId: string,
    body: unknown,
    target: FaultTarget,
  ): SimResponse {
    const instance = this.#instance(instanceId);
    if (!instance) return notFound();
    const input = (body ?? {}) as { backup_id?: unknown; remark?: unknown };
    if (typeof input.backup_id !== "string" || input.backup_id === "")
      return invalid("backup_id is required");
    if (
      input.remark !== undefined &&
      (typeof input.remark !== "string" || Buffer.byteLength(input.remark) > 128)
    ) {
      // The console limits the remark to 128 bytes (huaweicloudDocs/dcs 实例恢复).
      return invalid("remark must be a string of at most 128 bytes");
    }
    if (instance.cacheMode === "single") {
      return huaweiError(
        400,
        DCS_CODES.notSupported,
        "Single-node instances do not support backup and restoration.",
      );
    }
    const now = this.#o.now();
    const backup = this.#o.state.backups.find(
      (b) => b.backupId === input.backup_id && b.instanceId === instanceId,
    );
    const backupStatus = backup && this.#status(backup, now).status;
    if (!backup || backupStatus === "deleted") {
      return huaweiError(400, DCS_CODES.backupNotFound, "The backup record does not exist.");
    }
    if (backupStatus !== "succeed") {
      return huaweiError(
        400,
        DCS_CODES.backupNotSucceeded,
        "the backup record status is err when restore this instance",
      );
    }
    const backingUp = this.#o.state.backups.some((b) => {
      const { status } = this.#status(b, now);
      return b.instanceId === instanceId && (status === "waiting" || status === "backuping");
    });
    if (backingUp) return huaweiError(400, DCS_CODES.backingUp, "The instance is being backed up.");
    if (this.#restoring(instanceId, now)) return restoring();
    const fault = this.#o.faults.take("fail-next-restore", target);
    const state = this.#state;
    state.seq += 1;
    const record: StoredDcsRestore = {
      restoreId: randomUUID(),
      instanceId,
      backupId: backup.backupId,
      backupName: backup.backupName,
      backupRemark: backup.remark,
      remark: (input.remark as string | undefined) ?? "",
      seq: state.seq,
      createdAt: now,
      durationMs: this.#o.restoreDurationMs,
      failCode: fault ? (fault.reason ?? "dcs.08.0007") : null,
      usedMemoryMb: backup.usedMemoryMb ?? defaultUsedMemory(instance),
    };
    state.restores.push(record);
    this.#o.save();
    return { status: 200, body: { restore_id: record.restoreId } };
  }

  /**
   * `GET /{v}/{project_id}/instances/{instance_id}/restores`: the instance's restore
   * records, newest first, paged and bounded like the backup list (v2 `offset`, v1.0
   * `start`). ASSUMPTION: no record answers 200 with an empty list (the backup list's 204
   * is documented for backups only).
   */
  listRestores(version: DcsApiVersion, instanceId: string, params: URLSearchParams): SimResponse {
    if (!this.#instance(instanceId)) return notFound();
    const query = parseDcsListQuery(params, version === "v1.0");
    if (typeof query === "string") return invalid(query);
    const now = this.#o.now();
    const matches = this.#state.restores
      .filter(
        (r) =>
          r.instanceId === instanceId &&
          (query.beginTime === undefined || r.createdAt >= query.beginTime) &&
          (query.endTime === undefined || r.createdAt <= query.endTime),
      )
      .sort((a, b) => b.createdAt - a.createdAt || b.seq - a.seq);
    return {
      status: 200,
      body: {
        total_num: matches.length,
        restore_record_response: matches
          .slice(query.offset, query.offset + query.limit)
          .map((r) => restoreRecord(r, now)),
      },
    };
  }

  /** Stands in for clients writing to an instance: from now on it holds `usedMemoryMb`. */
  writeData(instanceId: string, usedMemoryMb: number): void {
    if (!this.#instance(instanceId)) throw new Error(`instance ${instanceId} not found`);
    this.#state.instanceData[instanceId] = { usedMemoryMb, at: this.#o.now() };
    this.#o.save();
  }

  /**
   * Lists records newest first (ASSUMPTION: the order is undocumented), `total_num` = all
   * matches. No matching record at all answers 204 without a body, as documented.
   */
  list(version: DcsApiVersion, instanceId: string, params: URLSearchParams): SimResponse {
    if (!this.#instance(instanceId)) return notFound();
    const query = parseDcsListQuery(params, version === "v1.0");
    if (typeof query === "string") return invalid(query);
    const now = this.#o.now();
    const matches = this.#o.state.backups
      .filter(
        (b) =>
          b.instanceId === instanceId &&
          (query.beginTime === undefined || b.createdAt >= query.beginTime) &&
          (query.endTime === undefined || b.createdAt <= query.endTime),
      )
      .sort((a, b) => b.createdAt - a.createdAt || b.seq - a.seq);
    if (matches.length === 0) return { status: 204 };
    return {
      status: 200,
      body: {
        total_num: matches.length,
        backup_record_response: matches
          .slice(query.offset, query.offset + query.limit)
          .map((b) => this.#record(version, b, now)),
      },
    };
  }

  /** DELETE: v2 → 204, v1.0 → 200 `{"message": ""}` (seed 004); gone → 400 DCS.4031. */
  delete(version: DcsApiVersion, instanceId: string, backupId: string): SimResponse {
    if (!this.#instance(instanceId)) return notFound();
    const now = this.#o.now();
    const backup = this.#o.state.backups.find(
      (b) => b.backupId === backupId && b.instanceId === instanceId,
    );
    const status = backup && this.#status(backup, now).status;
    if (!backup || status === "deleted") {
      return huaweiError(400, DCS_CODES.backupNotFound, "The backup record does not exist.");
    }
    if (status === "waiting" || status === "backuping") {
      // ASSUMPTION (UNCONFIRMED): a running backup cannot be deleted; answered as "backing up".
      return huaweiError(400, DCS_CODES.backingUp, "The instance is being backed up.");
    }
    // ASSUMPTION (UNCONFIRMED): a repeated DELETE before the record turns `deleted` is accepted.
    backup.deletedAt ??= now;
    this.#o.save();
    return version === "v2" ? { status: 204 } : { status: 200, body: { message: "" } };
  }

  /** Adds `count` finished manual backups, one second apart over the last `count` seconds. */
  seed(instanceId: string, count: number): string[] {
    const seeded = seedFinishedBackups(this.#o, instanceId, count, (fields) => ({
      ...fields,
      backupId: randomUUID(),
      backupName: `backup_${dcsTime(fields.createdAt).replace(/\D/g, "").slice(0, 14)}`,
      remark: "seeded",
      backupType: "manual" as const,
      format: "rdb" as const,
      failCode: null,
      sizeBytes: randomInt(1_000_000, 2_000_000_000),
    }));
    return seeded.map((backup) => backup.backupId);
  }

  /** The records the service still has now (none deleted), oldest first. */
  inventory(): InventoryEntry[] {
    const now = this.#o.now();
    return this.#o.state.backups.flatMap((backup) => {
      const { status } = this.#status(backup, now);
      if (status === "deleted" || backup.deletedAt !== null) return [];
      const entry: InventoryEntry = {
        vendor: "huawei-dcs",
        backupId: backup.backupId,
        resourceId: backup.instanceId,
        label: backup.remark,
        status,
        automatic: backup.backupType === "auto",
        createdAt: backup.createdAt,
      };
      return [entry];
    });
  }

  /** Everything the simulator knows, with each record's status and progress at `now`. */
  dump(now: number): unknown {
    return {
      ...(huaweiDump(this.#o, now, (backup) => this.#status(backup, now)) as object),
      restores: this.#state.restores.map((r) => ({ ...r, ...dcsRestoreStatusAt(r, now) })),
      usedMemoryMb: Object.fromEntries(
        this.#o.instances.map((i) => [i.instanceId, this.#usedMemoryAt(i, now)]),
      ),
    };
  }

  /** A `succeed` record made now, without the busy check; single-node instances refuse. */
  #seed(input: z.output<typeof dcsSeedSchema>): SeedResult {
    const instance = this.#instance(input.instanceId);
    if (!instance) return { status: 404, message: `instance ${input.instanceId} not found` };
    if (instance.cacheMode === "single") {
      return { status: 409, message: `instance ${input.instanceId} is single-node: no backups` };
    }
    const now = this.#o.now();
    const state = this.#o.state;
    state.seq += 1;
    const backup: StoredDcsBackup = {
      backupId: randomUUID(),
      backupName: `backup_${dcsTime(now).replace(/\D/g, "").slice(0, 14)}`,
      instanceId: input.instanceId,
      remark: input.remark,
      backupType: input.backupType,
      format: "rdb",
      seq: state.seq,
      createdAt: now,
      durationMs: 0,
      failCode: null,
      sizeBytes: randomInt(1_000_000, 2_000_000_000),
      usedMemoryMb: this.#usedMemoryAt(instance, now),
      deletedAt: null,
    };
    state.backups.push(backup);
    this.#o.save();
    return { backupId: backup.backupId };
  }

  #instance(instanceId: string): DcsInstance | undefined {
    return this.#o.instances.find((i) => i.instanceId === instanceId);
  }

  #status(backup: StoredDcsBackup, now: number) {
    return dcsStatusAt(backup, now, this.#o.deleteDurationMs);
  }

  /** Whether a restore of the instance is `waiting` or `restoring` at `now`. */
  #restoring(instanceId: string, now: number): boolean {
    return this.#state.restores.some((r) => {
      if (r.instanceId !== instanceId) return false;
      const { status } = dcsRestoreStatusAt(r, now);
      return status === "waiting" || status === "restoring";
    });
  }

  /**
   * The instance's data at `now`: what clients last wrote, unless a restore that
   * succeeded since replaced it with its backup's (a failed restore leaves it as it was).
   */
  #usedMemoryAt(instance: DcsInstance, now: number): number {
    const written = this.#state.instanceData[instance.instanceId];
    let current = written ?? { usedMemoryMb: defaultUsedMemory(instance), at: -Infinity };
    for (const r of this.#state.restores) {
      const endAt = r.createdAt + r.durationMs;
      if (r.instanceId !== instance.instanceId || r.failCode !== null) continue;
      if (endAt <= now && endAt > current.at) current = { usedMemoryMb: r.usedMemoryMb, at: endAt };
    }
    return current.usedMemoryMb;
  }

  #record(version: DcsApiVersion, backup: StoredDcsBackup, now: number) {
    const { status, progress } = this.#status(backup, now);
    const endAt = backup.createdAt + backup.durationMs;
    const finished = status === "succeed" || status === "failed" || status === "deleted";
    return {
      backup_id: backup.backupId,
      backup_name: backup.backupName,
      instance_id: backup.instanceId,
      backup_type: backup.backupType,
      status,
      progress: progress.toFixed(2),
      size: status === "succeed" || status === "deleted" ? backup.sizeBytes : 0,
      created_at: dcsTime(backup.createdAt),
      updated_at: finished ? dcsTime(endAt) : "",
      period: `${dcsTime(backup.createdAt)}-${finished ? dcsTime(endAt) : ""}`,
      remark: backup.remark,
      error_code: status === "failed" ? (backup.failCode ?? "") : "",
      is_support_restore: status === "succeed" ? "TRUE" : "FALSE",
      ...(version === "v2"
        ? { backup_format: backup.format }
        : { execution_at: dcsTime(backup.createdAt) }),
    };
  }
}

/** A restore record as both API generations list it (InstanceRestoreInfo). */
function restoreRecord(r: StoredDcsRestore, now: number) {
  const { status, progress } = dcsRestoreStatusAt(r, now);
  const finished = status === "succeed" || status === "failed";
  return {
    restore_id: r.restoreId,
    restore_name: `restore_${dcsTime(r.createdAt).replace(/\D/g, "").slice(0, 14)}`,
    backup_id: r.backupId,
    backup_name: r.backupName,
    backup_remark: r.backupRemark,
    restore_remark: r.remark,
    status,
    progress: progress.toFixed(2),
    created_at: dcsTime(r.createdAt),
    updated_at: finished ? dcsTime(r.createdAt + r.durationMs) : "",
    error_code: status === "failed" ? (r.failCode ?? "") : "",
  };
}

function defaultUsedMemory(instance: DcsInstance): number {
  return instance.usedMemoryMb ?? Math.round(instance.capacity * 1024 * DEFAULT_USED_SHARE);
}

function restoring(): SimResponse {
  return huaweiError(400, DCS_CODES.restoring, "The instance is being restored.");
}

function notFound(): SimResponse {
  return huaweiError(404, DCS_CODES.instanceNotFound, "The instance does not exist.");
}

function invalid(message: string): SimResponse {
  return huaweiError(400, DCS_CODES.invalidParameter, `Invalid request parameter: ${message}.`);
}
