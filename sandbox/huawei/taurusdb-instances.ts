import { randomBytes, randomUUID } from "node:crypto";
import type { FaultTarget } from "../fault-queue.ts";
import type { SimResponse } from "../http-sim-types.ts";
import { queryValue, wholeNumber } from "../query.ts";
import { huaweiError } from "./envelope.ts";
import type { HuaweiState } from "./model.ts";
import {
  INSTANCE_JOB_NAMES,
  instanceJobProcess,
  instanceJobStatus,
  type StoredInstance,
  type StoredInstanceJob,
} from "./taurusdb-instances-model.ts";
import { type StoredTaurusBackup, taurusPhaseAt, taurusTime } from "./taurusdb-model.ts";

/** TaurusDB-only fault: the next restore job accepted on a matching request ends Failed. */
export interface FailNextRestoreFault {
  kind: "fail-next-restore";
  reason: string;
}

/**
 * Codes of the instance and restore APIs. The TaurusDB error-code page lists none of these
 * conditions; each is an ASSUMPTION (UNCONFIRMED) from the RDS/GaussDB `DBS.*` family.
 */
export const TAURUSDB_INSTANCE_CODES = {
  /** RDS: 404 "The DB instance does not exist." */
  instanceNotFound: "DBS.200002",
  /** RDS: 409 "Another operation is being performed on the DB instance". */
  busy: "DBS.200019",
  /** RDS/GaussDB: 400 "Parameter error." */
  invalidParameter: "DBS.200001",
  /** GaussDB: 400 "Invalid backup ID." */
  invalidBackupId: "DBS.280124",
  /** ASSUMPTION: no quota code is documented; the adapter reads "quota" in the message. */
  quota: "DBS.200050",
} as const;

/** The instance status the v3 detail API documents, or `GONE` once deleted. */
export type TaurusInstanceStatus =
  | "BUILD"
  | "ACTIVE"
  | "FAILED"
  | "RESTORING"
  | "BACKING UP"
  | "GONE";

/** The state the instance model works on: the shared Huawei state plus instances and jobs. */
export interface TaurusInstancesState extends HuaweiState<StoredTaurusBackup> {
  instances: StoredInstance[];
  instanceJobs: StoredInstanceJob[];
}

/** What the instance behaviour depends on. */
export interface TaurusInstancesOptions {
  state: TaurusInstancesState;
  save(): void;
  now(): number;
  /** Takes the next matching `fail-next-restore` fault, if any. */
  faults: {
    take(kind: "fail-next-restore", target: FaultTarget): FailNextRestoreFault | undefined;
  };
  /** How long a restore job runs. */
  restoreDurationMs: number;
  /** How long a deleted instance (and a deleted backup) still shows. */
  deleteDurationMs: number;
  /** How long a new job stays invisible to the job APIs (documented delay). */
  jobVisibleAfterMs: number;
  /** How many live instances the project may hold (the quota). */
  instanceQuota: number;
}

const NAME = /^[A-Za-z][A-Za-z0-9_-]{3,63}$/;
const TAG_KEY = /^[A-Za-z0-9_-]{1,36}$/;
const TAG_VALUE = /^[A-Za-z0-9._-]{0,43}$/;
const PASSWORD_CHARS = /^[A-Za-z0-9~!@#$%^*\-_=+?,()&]{8,32}$/;

/** The fields of a default instance (the instances a simulator starts with). */
export function seededInstance(id: string, seq: number, now: number): StoredInstance {
  return {
    id,
    name: `taurus-${id.slice(0, 6)}`,
    seq,
    createdAt: now,
    buildMs: 0,
    flavorRef: "gaussdb.mysql.xlarge.x86.4",
    vpcId: "3a1e6b0c-5f7d-4b8e-9c2a-1d4f6e8a0b2c",
    subnetId: "7c9d2e4f-1a3b-4c5d-8e6f-0a1b2c3d4e5f",
    securityGroupId: "0e1f2a3b-4c5d-4e6f-8a9b-c0d1e2f3a4b5",
    availabilityZoneMode: "single",
    masterAvailabilityZone: "ap-southeast-1a",
    datastoreVersion: "8.0",
    timeZone: "UTC+08:00",
    slaveCount: 1,
    backupStartTime: "01:00-02:00",
    backupKeepDays: "7",
    tags: [],
    createdFromBackup: null,
    failReason: null,
    deletedAt: null,
  };
}

/**
 * The TaurusDB v3 instance, restore and task-centre behaviour, free of HTTP: restore to a
 * new instance (`POST /v3/{project_id}/instances` with `restore_point`), restore over an
 * existing one (`POST /v3/{project_id}/instances/restore`), instance list and detail,
 * delete, and the jobs they run (docs/providers.md §3.7).
 */
export class TaurusDbInstances {
  readonly #o: TaurusInstancesOptions;

  constructor(options: TaurusInstancesOptions) {
    this.#o = options;
  }

  /** Whether an instance exists now (being deleted still counts). */
  exists(id: string): boolean {
    const instance = this.#find(id);
    return instance !== undefined && this.status(instance) !== "GONE";
  }

  /** Whether an operation (a build, a restore, a deletion) keeps the instance busy. */
  busy(id: string): boolean {
    const instance = this.#find(id);
    if (instance === undefined) return false;
    const status = this.status(instance);
    return instance.deletedAt !== null || status === "BUILD" || status === "RESTORING";
  }

  /** The ids of the instances that exist now, oldest first. */
  ids(): string[] {
    return this.#live().map((i) => i.id);
  }

  /**
   * Where an instance's data comes from now: the backup its last finished restore wrote
   * (over it, or when it was created), or `null` for its own data. Sandbox-only view.
   */
  dataOf(id: string): { backupId: string; restoredAt: number } | null {
    const instance = this.#find(id);
    if (instance === undefined) return null;
    const now = this.#o.now();
    const done = this.#o.state.instanceJobs
      .filter(
        (j) =>
          j.instanceId === id &&
          j.name !== INSTANCE_JOB_NAMES.delete &&
          j.backupId !== null &&
          instanceJobStatus(j, now) === "Completed",
      )
      .sort((a, b) => a.createdAt + a.durationMs - (b.createdAt + b.durationMs) || a.seq - b.seq);
    const last = done.at(-1);
    return last ? { backupId: last.backupId!, restoredAt: last.createdAt + last.durationMs } : null;
  }

  /** An instance's status now. */
  status(instance: StoredInstance): TaurusInstanceStatus {
    const now = this.#o.now();
    if (instance.deletedAt !== null && now >= instance.deletedAt + this.#o.deleteDurationMs) {
      return "GONE";
    }
    if (now < instance.createdAt + instance.buildMs) return "BUILD";
    if (instance.failReason !== null) return "FAILED";
    const restoring = this.#o.state.instanceJobs.some(
      (j) =>
        j.instanceId === instance.id &&
        j.name === INSTANCE_JOB_NAMES.restoreInPlace &&
        instanceJobStatus(j, now) === "Running",
    );
    if (restoring) return "RESTORING";
    const backingUp = this.#o.state.backups.some(
      (b) =>
        b.instanceId === instance.id &&
        taurusPhaseAt(b, now, this.#o.deleteDurationMs) === "BUILDING",
    );
    return backingUp ? "BACKING UP" : "ACTIVE";
  }

  /** `POST /v3/{project_id}/instances` — simulated only with `restore_point` (a restore). */
  create(body: unknown, target: FaultTarget): SimResponse {
    const input = (body ?? {}) as Record<string, unknown>;
    const problem = createProblem(input);
    if (problem) return invalid(problem);
    const point = input.restore_point as { source_instance_id: string; backup_id: string };
    const refused = this.#refusedBackup(point.source_instance_id, point.backup_id);
    if (refused) return refused;
    if (this.#live().length >= this.#o.instanceQuota) {
      return huaweiError(
        400,
        TAURUSDB_INSTANCE_CODES.quota,
        "Insufficient quota: the number of DB instances has reached the upper limit.",
      );
    }
    // Names may repeat: "同一租户下，同类型的实例名可重名" (CreateGaussMySqlInstance).
    const source = this.#find(point.source_instance_id)!;
    const now = this.#o.now();
    const fault = this.#o.faults.take("fail-next-restore", target);
    const state = this.#o.state;
    state.seq += 1;
    const strategy = (input.backup_strategy ?? {}) as { start_time?: string; keep_days?: string };
    const instance: StoredInstance = {
      id: `${randomBytes(16).toString("hex")}in07`,
      name: input.name as string,
      seq: state.seq,
      createdAt: now,
      buildMs: this.#o.restoreDurationMs,
      flavorRef: input.flavor_ref as string,
      vpcId: input.vpc_id as string,
      subnetId: input.subnet_id as string,
      securityGroupId: (input.security_group_id as string | undefined) ?? source.securityGroupId,
      availabilityZoneMode: input.availability_zone_mode as "single" | "multi",
      masterAvailabilityZone:
        (input.master_availability_zone as string | undefined) ?? source.masterAvailabilityZone,
      datastoreVersion: (input.datastore as { version: string }).version,
      timeZone: (input.time_zone as string | undefined) ?? "UTC",
      slaveCount: input.slave_count as number,
      backupStartTime: strategy.start_time ?? "01:00-02:00",
      backupKeepDays: strategy.keep_days ?? "7",
      tags: ((input.tags ?? []) as { key: string; value: string }[]).map(({ key, value }) => ({
        key,
        value,
      })),
      createdFromBackup: point.backup_id,
      failReason: fault?.reason ?? null,
      deletedAt: null,
    };
    state.instances.push(instance);
    const job = this.#addJob(INSTANCE_JOB_NAMES.restoreNew, instance, point.backup_id, fault);
    this.#o.save();
    return {
      status: 201,
      body: {
        instance: {
          id: instance.id,
          name: instance.name,
          status: "BUILD",
          datastore: { type: "gaussdb-mysql", version: instance.datastoreVersion },
          mode: "Cluster",
          port: "3306",
          region: input.region,
          availability_zone_mode: instance.availabilityZoneMode,
          master_availability_zone: instance.masterAvailabilityZone,
          vpc_id: instance.vpcId,
          subnet_id: instance.subnetId,
          security_group_id: instance.securityGroupId,
          flavor_ref: instance.flavorRef,
          charge_info: { charge_mode: "postPaid" },
          backup_strategy: {
            start_time: instance.backupStartTime,
            keep_days: instance.backupKeepDays,
          },
        },
        job_id: job.id,
      },
    };
  }

  /** `POST /v3/{project_id}/instances/restore` (RestoreOldInstance) → 200 `{job_id}`. */
  restore(body: unknown, target: FaultTarget): SimResponse {
    const input = (body ?? {}) as Record<string, unknown>;
    for (const field of ["source_instance_id", "target_instance_id", "type"]) {
      if (typeof input[field] !== "string" || input[field] === "") {
        return invalid(`${field} is required`);
      }
    }
    if (input.type !== "backup") {
      return invalid("type must be backup (point-in-time restores are not simulated)");
    }
    if (typeof input.backup_id !== "string")
      return invalid("backup_id is required for type backup");
    const destination = this.#find(input.target_instance_id as string);
    if (destination === undefined || this.status(destination) === "GONE") {
      return notFound();
    }
    const refused = this.#refusedBackup(input.source_instance_id as string, input.backup_id);
    if (refused) return refused;
    const status = this.status(destination);
    if (destination.deletedAt !== null || (status !== "ACTIVE" && status !== "FAILED")) {
      return busy();
    }
    const fault = this.#o.faults.take("fail-next-restore", target);
    const job = this.#addJob(
      INSTANCE_JOB_NAMES.restoreInPlace,
      destination,
      input.backup_id,
      fault,
    );
    this.#o.save();
    return { status: 200, body: { job_id: job.id } };
  }

  /** `GET /v3/{project_id}/instances`: `id`/`name` exact (a leading `*` matches a part). */
  list(params: URLSearchParams): SimResponse {
    const value = (name: string) => queryValue(params, name);
    const offset = wholeNumber(value("offset"), 0);
    const limit = wholeNumber(value("limit"), 100);
    if (offset === undefined) return invalid("offset must be an integer of at least 0");
    if (limit === undefined || limit < 1 || limit > 100) {
      return invalid("limit must be an integer from 1 to 100");
    }
    const matches = (field: string, wanted: string | undefined) =>
      wanted === undefined ||
      (wanted.startsWith("*") ? field.includes(wanted.slice(1)) : field === wanted);
    const found = this.#live().filter(
      (i) => matches(i.id, value("id")) && matches(i.name, value("name")),
    );
    return {
      status: 200,
      body: {
        instances: found.slice(offset, offset + limit).map((i) => this.#listItem(i)),
        total_count: found.length,
      },
    };
  }

  /** `GET /v3/{project_id}/instances/{instance_id}` (ShowGaussMySqlInstanceInfo). */
  show(id: string): SimResponse {
    const instance = this.#find(id);
    if (instance === undefined || this.status(instance) === "GONE") return notFound();
    return { status: 200, body: { instance: this.#detail(instance) } };
  }

  /**
   * `DELETE /v3/{project_id}/instances/{instance_id}` → 202 `{job_id}`; the instance shows
   * for `deleteDurationMs`, then is gone. ASSUMPTION (UNCONFIRMED): a repeated delete is
   * accepted with the same job; a building or restoring instance is busy (409).
   */
  delete(id: string): SimResponse {
    const instance = this.#find(id);
    if (instance === undefined || this.status(instance) === "GONE") return notFound();
    if (instance.deletedAt !== null) {
      const job = this.#o.state.instanceJobs.find(
        (j) => j.instanceId === id && j.name === INSTANCE_JOB_NAMES.delete,
      );
      return { status: 202, body: { job_id: job?.id } };
    }
    const status = this.status(instance);
    if (status === "BUILD" || status === "RESTORING") return busy();
    instance.deletedAt = this.#o.now();
    const job = this.#addJob(INSTANCE_JOB_NAMES.delete, instance, null, undefined);
    job.durationMs = this.#o.deleteDurationMs;
    this.#o.save();
    return { status: 202, body: { job_id: job.id } };
  }

  /**
   * `GET /v3/{project_id}/immediate-jobs` (ListImmediateJobs): newest first, filtered by
   * `status`, `job_name`, `job_id`. `limit` 10, 20 or 50 (default 10). ASSUMPTION
   * (UNCONFIRMED): `offset` counts records skipped from 0 (the page says "default 1").
   */
  immediateJobs(params: URLSearchParams): SimResponse {
    const value = (name: string) => queryValue(params, name);
    const offset = wholeNumber(value("offset"), 0);
    const limit = wholeNumber(value("limit"), 10);
    if (offset === undefined) return invalid("offset must be an integer of at least 0");
    if (limit === undefined || ![10, 20, 50].includes(limit)) {
      return invalid("limit must be 10, 20 or 50");
    }
    const now = this.#o.now();
    const jobs = this.#visibleJobs(now)
      .filter(
        (j) =>
          (value("job_name") === undefined || j.name === value("job_name")) &&
          (value("job_id") === undefined || j.id === value("job_id")) &&
          (value("status") === undefined || instanceJobStatus(j, now) === value("status")),
      )
      .sort((a, b) => b.createdAt - a.createdAt || b.seq - a.seq);
    return {
      status: 200,
      body: {
        jobs: jobs.slice(offset, offset + limit).map((j) => {
          const instance = this.#find(j.instanceId);
          const status = instanceJobStatus(j, now);
          return {
            instance_id: j.instanceId,
            instance_name: j.instanceName,
            instance_status: instance ? unifiedStatus(this.status(instance)) : "deleted",
            job_id: j.id,
            job_name: j.name,
            status,
            process: status === "Running" ? instanceJobProcess(j, now) : "",
            created_time: taurusTime(j.createdAt),
            ended_time: status === "Running" ? "" : taurusTime(j.createdAt + j.durationMs),
            fail_reason: status === "Failed" ? (j.failReason ?? "") : "",
          };
        }),
        total_count: jobs.length,
      },
    };
  }

  /** The `GET /v3/{project_id}/jobs?id=` answer for an instance job, or `undefined`. */
  job(id: string): SimResponse | undefined {
    const now = this.#o.now();
    const job = this.#visibleJobs(now).find((j) => j.id === id);
    if (job === undefined) return undefined;
    const status = instanceJobStatus(job, now);
    return {
      status: 200,
      body: {
        job: {
          id: job.id,
          name: job.name,
          status,
          created: taurusTime(job.createdAt),
          ended: status === "Running" ? "" : taurusTime(job.createdAt + job.durationMs),
          process: status === "Running" ? instanceJobProcess(job, now) : "",
          instance: { id: job.instanceId, name: job.instanceName },
          entities: job.backupId === null ? {} : { backup_id: job.backupId },
          fail_reason: status === "Failed" ? (job.failReason ?? "") : "",
        },
      },
    };
  }

  /** Instances and jobs for `GET /__sandbox/state`, with their status now. */
  dump(): unknown {
    const now = this.#o.now();
    return {
      instances: this.#o.state.instances.map((i) => ({
        ...i,
        status: this.status(i),
        data: this.dataOf(i.id),
      })),
      instanceJobs: this.#o.state.instanceJobs.map((j) => ({
        ...j,
        status: instanceJobStatus(j, now),
      })),
    };
  }

  /** Why a restore from `backupId` of `sourceId` is refused, or `undefined`. */
  #refusedBackup(sourceId: string, backupId: string): SimResponse | undefined {
    if (!this.exists(sourceId)) return notFound();
    const now = this.#o.now();
    const backup = this.#o.state.backups.find((b) => b.id === backupId);
    const phase = backup && taurusPhaseAt(backup, now, this.#o.deleteDurationMs);
    if (backup === undefined || backup.instanceId !== sourceId || phase === "GONE") {
      return huaweiError(400, TAURUSDB_INSTANCE_CODES.invalidBackupId, "Invalid backup ID.");
    }
    if (phase === "BUILDING") {
      // ASSUMPTION (UNCONFIRMED code): a backup still being made cannot be restored.
      return huaweiError(
        409,
        TAURUSDB_INSTANCE_CODES.busy,
        "The backup is being created. Try again later.",
      );
    }
    if (phase === "FAILED" || backup.failReason !== null) {
      return huaweiError(
        400,
        TAURUSDB_INSTANCE_CODES.invalidBackupId,
        "The backup is not available for restoration.",
      );
    }
    return undefined;
  }

  #addJob(
    name: StoredInstanceJob["name"],
    instance: StoredInstance,
    backupId: string | null,
    fault: FailNextRestoreFault | undefined,
  ): StoredInstanceJob {
    const state = this.#o.state;
    state.seq += 1;
    const job: StoredInstanceJob = {
      id: randomUUID(),
      name,
      instanceId: instance.id,
      instanceName: instance.name,
      seq: state.seq,
      createdAt: this.#o.now(),
      durationMs: this.#o.restoreDurationMs,
      backupId,
      failReason: fault?.reason ?? null,
    };
    state.instanceJobs.push(job);
    return job;
  }

  #visibleJobs(now: number): StoredInstanceJob[] {
    return this.#o.state.instanceJobs.filter((j) => now >= j.createdAt + this.#o.jobVisibleAfterMs);
  }

  #find(id: string): StoredInstance | undefined {
    return this.#o.state.instances.find((i) => i.id === id);
  }

  #live(): StoredInstance[] {
    return this.#o.state.instances
      .filter((i) => this.status(i) !== "GONE")
      .sort((a, b) => a.seq - b.seq);
  }

  #listItem(instance: StoredInstance) {
    const status = this.status(instance);
    const built = status !== "BUILD";
    return {
      id: instance.id,
      name: instance.name,
      status,
      private_ips: built ? ["192.168.0.10"] : [],
      port: "3306",
      type: "Cluster",
      datastore: {
        type: "gaussdb-mysql",
        version: instance.datastoreVersion,
        kernel_version: "2.0.57.240900",
      },
      created: built ? taurusTime(instance.createdAt + instance.buildMs) : "",
      updated: built ? taurusTime(instance.createdAt + instance.buildMs) : "",
      db_user_name: "root",
      vpc_id: instance.vpcId,
      subnet_id: instance.subnetId,
      security_group_id: instance.securityGroupId,
      flavor_ref: instance.flavorRef,
      volume: { type: "POOL", size: "40" },
      backup_strategy: { start_time: instance.backupStartTime, keep_days: instance.backupKeepDays },
      time_zone: instance.timeZone,
      charge_info: { charge_mode: "postPaid" },
      tags: instance.tags,
    };
  }

  #detail(instance: StoredInstance) {
    const status = this.status(instance);
    const built = status !== "BUILD";
    const nodes = Array.from({ length: instance.slaveCount + 1 }, (_, i) => ({
      id: `${instance.id.slice(0, 28)}no0${i}`,
      name: `${instance.name}_node0${i + 1}`,
      type: i === 0 ? "master" : "slave",
      status: status === "BUILD" ? "BUILD" : status === "FAILED" ? "FAILED" : "ACTIVE",
      port: 3306,
      az_code: instance.masterAvailabilityZone,
      flavor_ref: instance.flavorRef,
    }));
    return {
      id: instance.id,
      name: instance.name,
      project_id: this.#o.state.projectId,
      status,
      port: "3306",
      type: "Cluster",
      node_count: instance.slaveCount + 1,
      datastore: {
        type: "gaussdb-mysql",
        version: instance.datastoreVersion,
        kernel_version: "2.0.57.240900",
      },
      created: built ? taurusTime(instance.createdAt + instance.buildMs) : "",
      updated: built ? taurusTime(instance.createdAt + instance.buildMs) : "",
      private_write_ips: built ? ["192.168.0.10"] : [],
      db_user_name: "root",
      vpc_id: instance.vpcId,
      subnet_id: instance.subnetId,
      security_group_id: instance.securityGroupId,
      backup_strategy: { start_time: instance.backupStartTime, keep_days: instance.backupKeepDays },
      nodes,
      time_zone: instance.timeZone,
      az_mode: instance.availabilityZoneMode,
      master_az_code: instance.masterAvailabilityZone,
      tags: instance.tags,
    };
  }
}

/** The v3.1 / task-centre wording of a status (`creating`, `normal`, `createfail`, `abnormal`). */
function unifiedStatus(status: TaurusInstanceStatus): string {
  switch (status) {
    case "BUILD":
      return "creating";
    case "FAILED":
      return "createfail";
    case "GONE":
      return "deleted";
    case "ACTIVE":
    case "BACKING UP":
      return "normal";
    default:
      return "abnormal";
  }
}

/** What is wrong with a restore-to-new-instance body, or `undefined`. Never echoes the password. */
function createProblem(input: Record<string, unknown>): string | undefined {
  const text = (field: string) => typeof input[field] === "string" && input[field] !== "";
  if (!text("region")) return "region is required";
  if (typeof input.name !== "string" || !NAME.test(input.name)) {
    return "name must be 4-64 letters, digits, - or _, starting with a letter";
  }
  const datastore = input.datastore as { type?: unknown; version?: unknown } | undefined;
  if (datastore?.type !== "gaussdb-mysql" || typeof datastore.version !== "string") {
    return "datastore must be {type: gaussdb-mysql, version}";
  }
  if (input.mode !== "Cluster") return "mode must be Cluster";
  for (const field of ["flavor_ref", "vpc_id", "subnet_id"]) {
    if (!text(field)) return `${field} is required`;
  }
  if (!strongPassword(input.password)) {
    return "password must be 8-32 characters of at least three kinds: upper case, lower case, digits, ~!@#$%^*-_=+?,()&";
  }
  if (input.availability_zone_mode !== "single" && input.availability_zone_mode !== "multi") {
    return "availability_zone_mode must be single or multi";
  }
  if (input.availability_zone_mode === "multi" && !text("master_availability_zone")) {
    return "master_availability_zone is required in multi mode";
  }
  const slaves = input.slave_count;
  if (typeof slaves !== "number" || !Number.isInteger(slaves) || slaves < 0 || slaves > 9) {
    return "slave_count must be an integer from 0 to 9";
  }
  const charge = input.charge_info as { charge_mode?: unknown } | undefined;
  if (charge !== undefined && charge.charge_mode !== "postPaid") {
    return "charge_info.charge_mode: only postPaid (pay-per-use) is simulated";
  }
  const tags = input.tags ?? [];
  if (!Array.isArray(tags) || tags.length > 10) return "tags must be a list of at most 10";
  const keys = new Set<string>();
  for (const tag of tags as { key?: unknown; value?: unknown }[]) {
    if (typeof tag?.key !== "string" || !TAG_KEY.test(tag.key) || keys.has(tag.key)) {
      return "tag keys must be unique, 1-36 of A-Za-z0-9, - and _";
    }
    if (typeof tag.value !== "string" || !TAG_VALUE.test(tag.value)) {
      return "tag values must be 0-43 of A-Za-z0-9, ., - and _";
    }
    keys.add(tag.key);
  }
  const point = input.restore_point as Record<string, unknown> | undefined;
  if (point === undefined) return "restore_point is required (plain creates are not simulated)";
  if (typeof point.source_instance_id !== "string" || typeof point.backup_id !== "string") {
    return "restore_point needs source_instance_id and backup_id";
  }
  if (point.type !== undefined && point.type !== "backup") {
    return "restore_point.type must be backup (point-in-time restores are not simulated)";
  }
  return undefined;
}

/** The documented rule: 8-32 characters, at least three of the four kinds. */
function strongPassword(value: unknown): boolean {
  if (typeof value !== "string" || !PASSWORD_CHARS.test(value)) return false;
  const kinds = [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((k) => k.test(value));
  return kinds.length >= 3;
}

function invalid(message: string): SimResponse {
  return huaweiError(
    400,
    TAURUSDB_INSTANCE_CODES.invalidParameter,
    `Invalid parameter: ${message}.`,
  );
}

function notFound(): SimResponse {
  return huaweiError(
    404,
    TAURUSDB_INSTANCE_CODES.instanceNotFound,
    "The DB instance does not exist.",
  );
}

function busy(): SimResponse {
  return huaweiError(
    409,
    TAURUSDB_INSTANCE_CODES.busy,
    "Another operation is being performed on the DB instance. Try again later.",
  );
}
