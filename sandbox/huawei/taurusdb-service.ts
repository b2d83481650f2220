import { randomBytes, randomInt, randomUUID } from "node:crypto";
import * as z from "zod";
import type { FaultTarget } from "../fault-queue.ts";
import type { SimResponse } from "../http-sim-types.ts";
import type { BackupSeeder, InventoryEntry, SeedResult } from "../vendor-hooks.ts";
import { huaweiError } from "./envelope.ts";
import {
  type HuaweiBackupService,
  type HuaweiServiceOptions,
  huaweiDump,
  seedFinishedBackups,
} from "./model.ts";
import {
  type FailNextRestoreFault,
  seededInstance,
  TaurusDbInstances,
  type TaurusInstancesState,
} from "./taurusdb-instances.ts";
import {
  listedStatus,
  parseTaurusListQuery,
  type StoredTaurusBackup,
  type TaurusPhase,
  taurusPhaseAt,
  taurusTime,
} from "./taurusdb-model.ts";

/** TaurusDB-only fault: the next backup created on a matching request ends FAILED. */
export interface FailNextBackupFault {
  kind: "fail-next-backup";
  reason: string;
}

export type { FailNextRestoreFault } from "./taurusdb-instances.ts";

/** The TaurusDB simulator's own fault kinds. */
export type TaurusDbFault = FailNextBackupFault | FailNextRestoreFault;

/**
 * Error codes the simulator answers with. Only the 409 conflict family is documented for
 * TaurusDB (docs/providers.md §3.5); the others are ASSUMPTIONS (UNCONFIRMED), chosen from the
 * shared RDS/GaussDB `DBS.*` family and flagged here once.
 */
export const TAURUSDB_CODES = {
  /** Another operation (here: a backup being built) is in progress on the instance. */
  busy: "DBS.200019",
  /** ASSUMPTION: instance not found, from the RDS family. */
  instanceNotFound: "DBS.200002",
  /** ASSUMPTION: invalid parameter. */
  invalidParameter: "DBS.200001",
  /** ASSUMPTION: GaussDB's "Invalid backup ID"; the seed documents only 400/500 on delete. */
  invalidBackupId: "DBS.280124",
  /** ASSUMPTION: GaussDB's backup name clash (409). */
  nameExists: "DBS.201209",
  /** ASSUMPTION: job not found (404); jobs are documented to appear a few seconds late. */
  jobNotFound: "DBS.280404",
} as const;

const NAME = /^[A-Za-z][A-Za-z0-9_-]{3,63}$/;
const NAME_RULE = "name must be 4-64 letters, digits, - or _, starting with a letter";
const DESCRIPTION = /^[^>!<"&'=]{0,256}$/;
const DESCRIPTION_RULE = "description must be at most 256 characters without >!<\"&'=";

/** Body of `POST /__sandbox/backups` (and input of `sim.seedBackup`) on the TaurusDB simulator. */
export const taurusDbSeedSchema = z.strictObject({
  instanceId: z.string().min(1),
  name: z.string().regex(NAME, NAME_RULE),
  description: z.string().regex(DESCRIPTION, DESCRIPTION_RULE).default(""),
  type: z.enum(["manual", "auto"]).default("manual"),
});

/** Everything the TaurusDB behaviour depends on; instances are their ids. */
export interface TaurusDbServiceOptions
  extends HuaweiServiceOptions<StoredTaurusBackup, TaurusDbFault, string> {
  /** How long a new job stays invisible to `GET …/jobs` (documented delay); default 0. */
  jobVisibleAfterMs: number;
  /** How long a restore job (to a new instance or over an existing one) runs. */
  restoreDurationMs: number;
  /** How many live instances the project may hold before creates fail for quota. */
  instanceQuota: number;
}

/**
 * The TaurusDB v3 backup and job behaviour, free of HTTP: each method is one documented
 * operation and answers like the real service (or like the assumption next to the code).
 */
export class TaurusDbService implements HuaweiBackupService {
  readonly #o: TaurusDbServiceOptions;
  /** Instances, restores and their jobs (`taurusdb-instances.ts`), on the same state. */
  readonly instances: TaurusDbInstances;
  /** Creates COMPLETED backups directly in the model (`POST /__sandbox/backups`). */
  readonly seeder: BackupSeeder<typeof taurusDbSeedSchema> = {
    schema: taurusDbSeedSchema,
    seed: (input) => this.#seed(input),
  };

  constructor(options: TaurusDbServiceOptions) {
    this.#o = options;
    // A fresh state, or a state file from before restores: the configured instances exist.
    const state = options.state as TaurusInstancesState;
    if (state.instances === undefined) {
      state.instances = options.instances.map((id) => {
        state.seq += 1;
        return seededInstance(id, state.seq, options.now());
      });
    }
    state.instanceJobs ??= [];
    this.instances = new TaurusDbInstances({
      state,
      save: options.save,
      now: options.now,
      faults: { take: (kind, target) => options.faults.take(kind, target) },
      restoreDurationMs: options.restoreDurationMs,
      deleteDurationMs: options.deleteDurationMs,
      jobVisibleAfterMs: options.jobVisibleAfterMs,
      instanceQuota: options.instanceQuota,
    });
  }

  /** `POST /v3/{project_id}/backups/create`; one backup at a time per instance. */
  create(body: unknown, target: FaultTarget): SimResponse {
    const input = (body ?? {}) as { instance_id?: unknown; name?: unknown; description?: unknown };
    if (typeof input.instance_id !== "string") return invalid("instance_id is required");
    if (typeof input.name !== "string" || !NAME.test(input.name)) {
      return invalid(NAME_RULE);
    }
    const description = input.description ?? "";
    if (typeof description !== "string" || !DESCRIPTION.test(description)) {
      return invalid(DESCRIPTION_RULE);
    }
    if (!this.instances.exists(input.instance_id)) {
      return huaweiError(404, TAURUSDB_CODES.instanceNotFound, "The DB instance does not exist.");
    }
    const now = this.#o.now();
    if (this.instances.busy(input.instance_id)) {
      // ASSUMPTION (UNCONFIRMED code): no backup while the instance builds, restores or goes.
      return huaweiError(
        409,
        TAURUSDB_CODES.busy,
        "Another operation is being performed on the DB instance. Try again later.",
      );
    }
    const live = this.#o.state.backups.filter((b) => this.#phase(b, now) !== "GONE");
    if (
      live.some((b) => b.instanceId === input.instance_id && this.#phase(b, now) === "BUILDING")
    ) {
      return huaweiError(
        409,
        TAURUSDB_CODES.busy,
        "Another operation is being performed on the DB instance. Try again later.",
      );
    }
    if (this.#nameTaken(input.name, now)) {
      return huaweiError(409, TAURUSDB_CODES.nameExists, "The backup name already exists.");
    }
    // Taken only now, so a rejected create does not use up the fault.
    const fault = this.#o.faults.take("fail-next-backup", target);
    const state = this.#o.state;
    state.seq += 1;
    const backup: StoredTaurusBackup = {
      id: `${randomBytes(16).toString("hex")}br07`,
      name: input.name,
      description,
      type: "manual",
      instanceId: input.instance_id,
      jobId: randomUUID(),
      seq: state.seq,
      createdAt: now,
      durationMs: this.#o.jobDurationMs,
      failReason: fault?.reason ?? null,
      sizeMb: randomInt(50, 20_000) + randomInt(0, 100) / 100,
      deletedAt: null,
    };
    state.backups.push(backup);
    this.#o.save();
    return {
      status: 201,
      body: {
        backup: {
          id: backup.id,
          name: backup.name,
          descriprion: backup.description, // sic: the documented field name (docs/providers.md §3.3)
          begin_time: taurusTime(now),
          status: "BUILDING",
          type: "manual",
          instance_id: backup.instanceId,
        },
        job_id: backup.jobId,
      },
    };
  }

  /** `GET /v3/{project_id}/backups`: filters, newest first, `total_count` of all matches. */
  list(params: URLSearchParams): SimResponse {
    const query = parseTaurusListQuery(params);
    if (typeof query === "string") return invalid(query);
    const now = this.#o.now();
    const matches = this.#o.state.backups
      .map((backup) => ({ backup, phase: this.#phase(backup, now) }))
      .filter(
        ({ backup, phase }) =>
          phase !== "GONE" &&
          (query.instanceId === undefined || backup.instanceId === query.instanceId) &&
          (query.backupId === undefined || backup.id === query.backupId) &&
          (query.backupType === undefined || query.backupType === backup.type) &&
          (query.beginTime === undefined || backup.createdAt >= query.beginTime) &&
          (query.endTime === undefined || backup.createdAt <= query.endTime),
      )
      .sort((a, b) => b.backup.createdAt - a.backup.createdAt || b.backup.seq - a.backup.seq);
    return {
      status: 200,
      body: {
        backups: matches
          .slice(query.offset, query.offset + query.limit)
          .map(({ backup, phase }) => this.#listItem(backup, phase)),
        total_count: matches.length,
      },
    };
  }

  /** `DELETE /v3/{project_id}/backups/{backup_id}` → 200 `{backup_id, backup_name}` (seed 003). */
  delete(backupId: string): SimResponse {
    const now = this.#o.now();
    const backup = this.#o.state.backups.find((b) => b.id === backupId);
    const phase = backup === undefined ? "GONE" : this.#phase(backup, now);
    if (backup === undefined || phase === "GONE") {
      return huaweiError(400, TAURUSDB_CODES.invalidBackupId, "Invalid backup ID.");
    }
    if (phase === "BUILDING") {
      // ASSUMPTION (UNCONFIRMED code): backups being created cannot be deleted (§3.6).
      return huaweiError(
        409,
        TAURUSDB_CODES.busy,
        "The backup is being created and cannot be deleted.",
      );
    }
    // ASSUMPTION (UNCONFIRMED): deleting a backup already being deleted is accepted again.
    backup.deletedAt ??= now;
    this.#o.save();
    return { status: 200, body: { backup_id: backup.id, backup_name: backup.name } };
  }

  /** `GET /v3/{project_id}/jobs?id=` (ShowGaussMySqlJobInfo). */
  job(params: URLSearchParams): SimResponse {
    const id = params.get("id");
    if (!id) return invalid("id is required");
    const now = this.#o.now();
    const backup = this.#o.state.backups.find((b) => b.jobId === id);
    if (backup === undefined || now < backup.createdAt + this.#o.jobVisibleAfterMs) {
      return (
        this.instances.job(id) ??
        huaweiError(404, TAURUSDB_CODES.jobNotFound, "The job does not exist.")
      );
    }
    const endAt = backup.createdAt + backup.durationMs;
    const running = now < endAt;
    const share = backup.durationMs === 0 ? 1 : (now - backup.createdAt) / backup.durationMs;
    return {
      status: 200,
      body: {
        job: {
          id,
          name: "CreateGaussDBforMySQLBackup",
          status: running ? "Running" : backup.failReason === null ? "Completed" : "Failed",
          created: taurusTime(backup.createdAt),
          ended: running ? "" : taurusTime(endAt),
          process: `${Math.min(100, Math.floor(share * 100))}%`,
          instance: { id: backup.instanceId, name: `taurus-${backup.instanceId.slice(0, 6)}` },
          entities: { backup_id: backup.id },
          fail_reason: running ? "" : (backup.failReason ?? ""),
        },
      },
    };
  }

  /** Adds `count` finished manual backups, one second apart over the last `count` seconds. */
  seed(instanceId: string, count: number): string[] {
    const seeded = seedFinishedBackups(this.#o, instanceId, count, (fields) => ({
      ...fields,
      id: `${randomBytes(16).toString("hex")}br07`,
      name: `manual-seed-${fields.seq}`,
      description: "",
      type: "manual" as const,
      jobId: randomUUID(),
      failReason: null,
      sizeMb: randomInt(50, 20_000),
    }));
    return seeded.map((backup) => backup.id);
  }

  /** The backups the service still has now (none deleted), oldest first. */
  inventory(): InventoryEntry[] {
    const now = this.#o.now();
    return this.#o.state.backups.flatMap((backup) => {
      const phase = this.#phase(backup, now);
      if (phase === "GONE" || backup.deletedAt !== null) return [];
      const entry: InventoryEntry = {
        vendor: "huawei-taurusdb",
        backupId: backup.id,
        resourceId: backup.instanceId,
        label: backup.description || backup.name,
        status: listedStatus(backup, phase),
        automatic: backup.type === "auto",
        createdAt: backup.createdAt,
      };
      return [entry];
    });
  }

  /** Everything the simulator knows, with each backup's phase at `now`. */
  dump(now: number): unknown {
    return {
      ...(huaweiDump(this.#o, now, (backup) => ({ phase: this.#phase(backup, now) })) as object),
      ...(this.instances.dump() as object),
    };
  }

  /** A COMPLETED backup made now, without the busy check (the name must still be free). */
  #seed(input: z.output<typeof taurusDbSeedSchema>): SeedResult {
    if (!this.instances.exists(input.instanceId)) {
      return { status: 404, message: `instance ${input.instanceId} not found` };
    }
    const now = this.#o.now();
    if (this.#nameTaken(input.name, now)) {
      return { status: 409, message: `a backup named ${input.name} already exists` };
    }
    const state = this.#o.state;
    state.seq += 1;
    const backup: StoredTaurusBackup = {
      id: `${randomBytes(16).toString("hex")}br07`,
      name: input.name,
      description: input.description,
      type: input.type,
      instanceId: input.instanceId,
      jobId: randomUUID(),
      seq: state.seq,
      createdAt: now,
      durationMs: 0,
      failReason: null,
      sizeMb: randomInt(50, 20_000),
      deletedAt: null,
    };
    state.backups.push(backup);
    this.#o.save();
    return { backupId: backup.id };
  }

  #nameTaken(name: string, now: number): boolean {
    return this.#o.state.backups.some(
      (b) => b.name === name && b.deletedAt === null && this.#phase(b, now) !== "GONE",
    );
  }

  #phase(backup: StoredTaurusBackup, now: number): TaurusPhase {
    return taurusPhaseAt(backup, now, this.#o.deleteDurationMs);
  }

  #listItem(backup: StoredTaurusBackup, phase: TaurusPhase) {
    const status = listedStatus(backup, phase);
    const endAt = backup.createdAt + backup.durationMs;
    const done = status !== "BUILDING";
    return {
      id: backup.id,
      name: backup.name,
      begin_time: taurusTime(backup.createdAt),
      end_time: done ? taurusTime(endAt) : "",
      status,
      take_up_time: done ? Math.max(1, Math.round(backup.durationMs / 60_000)) : 0,
      type: backup.type,
      size: status === "COMPLETED" ? backup.sizeMb : 0,
      datastore: { type: "gaussdb-mysql", version: "8.0" },
      instance_id: backup.instanceId,
      backup_level: status === "COMPLETED" ? "1" : "0",
      description: backup.description,
    };
  }
}

function invalid(message: string): SimResponse {
  return huaweiError(400, TAURUSDB_CODES.invalidParameter, `Invalid parameter: ${message}.`);
}
