import { randomInt } from "node:crypto";
import * as z from "zod";
import { ProviderError, type ProviderErrorClass } from "../../core/provider-error.ts";
import {
  listingTooLong,
  parseVendor,
  pathSegment,
  type VendorRequest,
  type VendorResponse,
} from "../http.ts";
import type {
  BackupRef,
  RestoredResource,
  RestoreRef,
  RestoreState,
  VendorRestores,
} from "../port.ts";

/**
 * TaurusDB restores (docs/providers.md §3.7): a backup into a NEW instance shaped like the
 * source (`POST /v3/{project_id}/instances` with `restore_point`, tagged with our restore
 * id), or OVER an existing instance (`POST /v3/{project_id}/instances/restore`). Jobs are
 * read with `GET /v3/{project_id}/jobs?id=`, instances with the v3 detail and list APIs.
 *
 * A new instance needs a root password: it is random (node:crypto), lives only in the one
 * create request (and, for that call, in the scrub list of vendor text), and is never
 * stored, logged or returned. Whoever needs the instance resets it (ResetGaussMySqlPassword
 * or the console); a drill's scratch instance is never logged into.
 */

/** The tag that marks an instance a restore of ours created; its value is our restore id. */
export const TAURUSDB_RESTORE_TAG = "backup-warden-restore";
/** Our restore ids, as the tag value carries them (tag values: 0-43 of A-Za-z0-9 . - _). */
const RESTORE_ID = /^rs_[0-9A-Za-z_-]{1,40}$/;
/** The ListImmediateJobs `job_name` of a restore to a new instance (documented). */
const RESTORE_NEW_JOB = "RestoreGaussDBforMySQLNewInstance";
/** `find` reads at most this many pages of 50 restore jobs. */
const MAX_JOB_PAGES = 20;
/**
 * A `find` whose instance's job is no longer listed (jobs age out) names the instance
 * instead: `status` then reads the instance alone.
 */
const INSTANCE_JOB_PREFIX = "instance:";

const Tag = z.object({ key: z.string(), value: z.string().nullish() });
const Node = z.object({ flavor_ref: z.string().nullish(), az_code: z.string().nullish() });
const Instance = z.object({
  id: z.string(),
  name: z.string(),
  status: z.string().nullish(),
  datastore: z.object({ type: z.string(), version: z.string() }).nullish(),
  vpc_id: z.string().nullish(),
  subnet_id: z.string().nullish(),
  security_group_id: z.string().nullish(),
  flavor_ref: z.string().nullish(),
  node_count: z.number().nullish(),
  nodes: z.array(Node).nullish(),
  az_mode: z.string().nullish(),
  master_az_code: z.string().nullish(),
  time_zone: z.string().nullish(),
  configuration_id: z.string().nullish(),
  enterprise_project_id: z.string().nullish(),
  backup_strategy: z
    .object({ start_time: z.string(), keep_days: z.union([z.string(), z.number()]).nullish() })
    .nullish(),
  tags: z.array(Tag).nullish(),
});
type Instance = z.infer<typeof Instance>;
const DetailResponse = z.object({ instance: Instance.nullish() });
const ListResponse = z.object({
  instances: z.array(Instance.partial().extend({ id: z.string(), name: z.string() })).nullish(),
  total_count: z.number().nullish(),
});
const CreateResponse = z.object({
  instance: z.object({ id: z.string(), status: z.string().nullish() }),
  job_id: z.string().nullish(),
});
const JobIdResponse = z.object({ job_id: z.string() });
const JobResponse = z.object({
  job: z.object({
    id: z.string(),
    status: z.string(),
    process: z.string().nullish(),
    fail_reason: z.string().nullish(),
  }),
});
const JobsResponse = z.object({
  jobs: z
    .array(z.object({ instance_id: z.string().nullish(), job_id: z.string().nullish() }))
    .nullish(),
  total_count: z.number().nullish(),
});

/** Job status (ShowGaussMySqlJobInfo) → ours. */
const JOB_STATUS: Record<string, RestoreState["status"]> = {
  Pending: "RUNNING",
  Unauthorized: "RUNNING",
  Running: "RUNNING",
  Completed: "RESTORED",
  Failed: "FAILED",
  Canceled: "FAILED",
};
/** Instance statuses (v3 detail; `normal` is the v3.1 wording) that mean ready for use. */
const HEALTHY = new Set(["ACTIVE", "normal"]);
/** Instance statuses while a restore is still writing it. */
const BUILDING = new Set(["BUILD", "RESTORING", "creating"]);
/** Instance statuses of a restore that did not make it. */
const BROKEN = new Set(["FAILED", "createfail", "abnormal"]);

/** What the restores need of the TaurusDB adapter. */
export interface TaurusDbRestoreDeps {
  providerName: string;
  /** `{project_id}`, ready for a path. */
  projectPath: string;
  /** The target's instance: the source of its backups (never deleted here). */
  instanceId: string;
  region: string;
  send(request: VendorRequest): Promise<VendorResponse>;
  /** Vendor free text, scrubbed and bounded. */
  vendorText(text: string): string;
  /** Runs `call` with `secret` scrubbed from every vendor text it sees. */
  withSecret<T>(secret: string, call: () => Promise<T>): Promise<T>;
  /** The backup as the backup list shows it, or `undefined` when not listed. */
  backupStatus(backupId: string): Promise<string | undefined>;
}

/** A validated TaurusDB destination (`TaurusDbDestination`, lib/core/restore.ts). */
interface Destination {
  instanceName?: string;
  instanceId?: string;
  flavorRef?: string;
}

/** Restores of one TaurusDB target's backups. */
export class TaurusDbRestores implements VendorRestores {
  readonly #d: TaurusDbRestoreDeps;

  constructor(deps: TaurusDbRestoreDeps) {
    this.#d = deps;
  }

  async preview(backup: BackupRef, destination: Record<string, unknown>) {
    const target = await this.#check(backup, asDestination(destination));
    if (target === undefined) return {};
    return {
      overwrites: {
        resourceId: target.id,
        summary: this.#d.vendorText(
          `Replaces all data of TaurusDB instance "${target.name}" (${target.id}, ${target.status ?? "status unknown"}) ` +
            `with backup ${backup.backupId} of instance ${backup.resourceId}; everything written to it since is lost.`,
        ),
      },
    };
  }

  async start(request: {
    restoreId: string;
    backup: BackupRef;
    destination: Record<string, unknown>;
  }): Promise<{ ref: RestoreRef; state: RestoreState }> {
    const { restoreId, backup } = request;
    const destination = asDestination(request.destination);
    if (!RESTORE_ID.test(restoreId)) {
      throw this.#error(
        "INVALID",
        `restore id ${JSON.stringify(restoreId.slice(0, 60))} cannot be a TaurusDB tag value`,
      );
    }
    const target = await this.#check(backup, destination);
    if (target !== undefined) {
      const response = await this.#d.send({
        method: "POST",
        path: `/v3/${this.#d.projectPath}/instances/restore`,
        body: {
          source_instance_id: backup.resourceId,
          target_instance_id: target.id,
          type: "backup",
          backup_id: backup.backupId,
        },
      });
      const { job_id } = parseVendor(
        this.#d.providerName,
        "restore response",
        JobIdResponse,
        response.body,
      );
      return {
        ref: { jobId: job_id, resourceId: target.id, created: false },
        state: { status: "RUNNING", providerStatus: "RESTORING" },
      };
    }
    const source = await this.#detail(backup.resourceId);
    if (source === undefined)
      throw this.#error("NOT_FOUND", `source instance ${backup.resourceId} does not exist`);
    const password = rootPassword();
    const response = await this.#d.withSecret(password, () =>
      this.#d
        .send({
          method: "POST",
          path: `/v3/${this.#d.projectPath}/instances`,
          body: newInstanceBody(source, destination, restoreId, backup, this.#d.region, password),
        })
        .catch((error: unknown) => {
          throw quotaOf(error);
        }),
    );
    const created = parseVendor(
      this.#d.providerName,
      "create-instance response",
      CreateResponse,
      response.body,
    );
    return {
      ref: {
        jobId: created.job_id ?? `${INSTANCE_JOB_PREFIX}${created.instance.id}`,
        resourceId: created.instance.id,
        created: true,
      },
      state: { status: "RUNNING", providerStatus: created.instance.status ?? "BUILD" },
    };
  }

  async status(ref: RestoreRef): Promise<RestoreState> {
    const job = ref.jobId.startsWith(INSTANCE_JOB_PREFIX) ? undefined : await this.#job(ref.jobId);
    if (job) {
      const status = JOB_STATUS[job.status] ?? "RUNNING";
      const progress = /^(\d{1,3})%$/.exec(job.process ?? "")?.[1];
      return {
        status,
        providerStatus: job.status,
        ...(progress !== undefined && status === "RUNNING"
          ? { progress: Math.min(100, Number(progress)) }
          : {}),
        ...(status === "FAILED"
          ? { failureReason: this.#d.vendorText(job.fail_reason || `restore job ${job.status}`) }
          : {}),
      };
    }
    // No job (not visible yet, aged out, or a found restore): the instance tells.
    const instance = await this.#detail(ref.resourceId);
    const status = instance?.status ?? "";
    if (instance === undefined) {
      return {
        status: "FAILED",
        providerStatus: "NOT_FOUND",
        failureReason: "neither the restore job nor the instance exists",
      };
    }
    if (BUILDING.has(status)) return { status: "RUNNING", providerStatus: status };
    if (ref.created && HEALTHY.has(status)) return { status: "RESTORED", providerStatus: status };
    if (ref.created && BROKEN.has(status)) {
      return {
        status: "FAILED",
        providerStatus: status,
        failureReason: `the restored instance is ${status}`,
      };
    }
    // Over an existing instance, a job the vendor no longer knows is FAILED (the port's rule).
    return {
      status: "FAILED",
      providerStatus: `job not found, instance ${status || "status unknown"}`,
      failureReason: "TaurusDB no longer knows the restore job",
    };
  }

  async describe(ref: RestoreRef): Promise<RestoredResource> {
    const instance = await this.#detail(ref.resourceId);
    if (instance === undefined)
      return { exists: false, healthy: false, providerStatus: "NOT_FOUND" };
    const status = instance.status ?? "";
    return { exists: true, healthy: HEALTHY.has(status), providerStatus: status };
  }

  async deleteCreated(ref: RestoreRef): Promise<{ status: "DELETED" | "DELETING" }> {
    if (!ref.created) {
      throw this.#error(
        "INVALID",
        `instance ${ref.resourceId} was not created by this restore; it is never deleted`,
      );
    }
    if (ref.resourceId === this.#d.instanceId) {
      throw this.#error(
        "INVALID",
        `instance ${ref.resourceId} is the target's own instance; it is never deleted`,
      );
    }
    const instance = await this.#detail(ref.resourceId);
    if (instance === undefined) return { status: "DELETED" };
    if (restoreIdOf(instance) === undefined) {
      throw this.#error(
        "INVALID",
        `instance ${ref.resourceId} carries no ${TAURUSDB_RESTORE_TAG} tag, so it is not one of our restores; it is never deleted`,
      );
    }
    try {
      await this.#d.send({
        method: "DELETE",
        path: `/v3/${this.#d.projectPath}/instances/${pathSegment(this.#d.providerName, "instance id", ref.resourceId)}`,
      });
    } catch (error) {
      if (error instanceof ProviderError && error.cls === "NOT_FOUND") return { status: "DELETED" };
      throw error;
    }
    return { status: (await this.#detail(ref.resourceId)) ? "DELETING" : "DELETED" };
  }

  async find(
    restoreId: string,
    destination: Record<string, unknown>,
  ): Promise<RestoreRef | undefined> {
    const { instanceName } = asDestination(destination);
    // Over an existing instance nothing of ours is kept (the API takes no label): not findable.
    if (instanceName === undefined) return undefined;
    const page = await this.#list({ name: instanceName });
    const instance = page.find((i) => i.name === instanceName && restoreIdOf(i) === restoreId);
    if (instance === undefined) return undefined;
    const jobId = await this.#restoreJobOf(instance.id);
    return {
      jobId: jobId ?? `${INSTANCE_JOB_PREFIX}${instance.id}`,
      resourceId: instance.id,
      created: true,
    };
  }

  /**
   * Checks the backup and the destination; for a restore over an existing instance, that
   * instance (else `undefined`: a new instance).
   */
  async #check(backup: BackupRef, destination: Destination): Promise<Instance | undefined> {
    const status = await this.#d.backupStatus(backup.backupId);
    if (status === undefined)
      throw this.#error("NOT_FOUND", `backup ${backup.backupId} does not exist`);
    if (status === "BUILDING") {
      throw this.#error("CONFLICT", `backup ${backup.backupId} is still being made (BUILDING)`);
    }
    if (status !== "COMPLETED" && status !== "AVAILABLE") {
      throw this.#error(
        "INVALID",
        `backup ${backup.backupId} is ${this.#d.vendorText(status)}, not COMPLETED`,
      );
    }
    if (destination.instanceId !== undefined) {
      const target = await this.#detail(destination.instanceId);
      if (target === undefined)
        throw this.#error("NOT_FOUND", `instance ${destination.instanceId} does not exist`);
      const source = await this.#detail(backup.resourceId);
      if (source === undefined)
        throw this.#error("NOT_FOUND", `source instance ${backup.resourceId} does not exist`);
      if (
        source.datastore &&
        target.datastore &&
        (source.datastore.type !== target.datastore.type ||
          source.datastore.version !== target.datastore.version)
      ) {
        throw this.#error(
          "INVALID",
          `instance ${target.id} runs ${target.datastore.type} ${target.datastore.version}, the backup ${source.datastore.type} ${source.datastore.version}`,
        );
      }
      if (!HEALTHY.has(target.status ?? "")) {
        throw this.#error(
          "CONFLICT",
          `instance ${target.id} is ${target.status ?? "in an unknown status"}, not ACTIVE`,
        );
      }
      return target;
    }
    // TaurusDB lets names repeat within a project; a new instance must have a name of its own.
    const name = destination.instanceName!;
    const taken = (await this.#list({ name })).find((i) => i.name === name);
    if (taken)
      throw this.#error("CONFLICT", `an instance named ${name} exists already (${taken.id})`);
    return undefined;
  }

  async #detail(instanceId: string): Promise<Instance | undefined> {
    try {
      const response = await this.#d.send({
        method: "GET",
        path: `/v3/${this.#d.projectPath}/instances/${pathSegment(this.#d.providerName, "instance id", instanceId)}`,
      });
      const instance = parseVendor(
        this.#d.providerName,
        "instance detail",
        DetailResponse,
        response.body,
      ).instance;
      // The vendor's Terraform provider reads an empty id as a deleted instance.
      return instance?.id ? instance : undefined;
    } catch (error) {
      if (error instanceof ProviderError && error.cls === "NOT_FOUND") return undefined;
      throw error;
    }
  }

  /** Instances matching `name` exactly (the list's documented exact match), at most 100. */
  async #list(query: { name: string }) {
    const response = await this.#d.send({
      method: "GET",
      path: `/v3/${this.#d.projectPath}/instances`,
      query: { name: query.name, offset: 0, limit: 100 },
    });
    return (
      parseVendor(this.#d.providerName, "instance list", ListResponse, response.body).instances ??
      []
    );
  }

  async #job(jobId: string): Promise<z.infer<typeof JobResponse>["job"] | undefined> {
    try {
      const response = await this.#d.send({
        method: "GET",
        path: `/v3/${this.#d.projectPath}/jobs`,
        query: { id: jobId },
      });
      return parseVendor(this.#d.providerName, "job", JobResponse, response.body).job;
    } catch (error) {
      // Jobs become visible a few seconds late and age out (§3.4).
      if (
        error instanceof ProviderError &&
        (error.cls === "NOT_FOUND" || error.cls === "INVALID")
      ) {
        return undefined;
      }
      throw error;
    }
  }

  /** The restore-to-new-instance job that built `instanceId`, from the task centre. */
  async #restoreJobOf(instanceId: string): Promise<string | undefined> {
    for (let page = 0; page < MAX_JOB_PAGES; page++) {
      const response = await this.#d.send({
        method: "GET",
        path: `/v3/${this.#d.projectPath}/immediate-jobs`,
        // The first page with the vendor's default offset; later ones skip what was read.
        query: {
          job_name: RESTORE_NEW_JOB,
          limit: 50,
          ...(page === 0 ? {} : { offset: page * 50 }),
        },
      });
      const data = parseVendor(this.#d.providerName, "job list", JobsResponse, response.body);
      const job = data.jobs?.find((j) => j.instance_id === instanceId && j.job_id);
      if (job?.job_id) return job.job_id;
      if (!data.jobs?.length || (page + 1) * 50 >= (data.total_count ?? 0)) return undefined;
    }
    throw listingTooLong(this.#d.providerName, "restore job list", `${MAX_JOB_PAGES * 50} jobs`);
  }

  #error(cls: ProviderErrorClass, message: string): ProviderError {
    return new ProviderError({
      cls,
      provider: this.#d.providerName,
      message: `${this.#d.providerName}: ${message}`,
    });
  }
}

/** Our restore id from an instance's tags, when it carries ours. */
function restoreIdOf(instance: { tags?: z.infer<typeof Tag>[] | null }): string | undefined {
  const value = instance.tags?.find((t) => t.key === TAURUSDB_RESTORE_TAG)?.value ?? "";
  return RESTORE_ID.test(value) ? value : undefined;
}

function asDestination(destination: Record<string, unknown>): Destination {
  return destination as Destination;
}

/**
 * The create body of a new instance shaped like `source`: its flavour (unless given),
 * network, security group, AZ layout, engine version, node count, time zone, parameter
 * template and backup window; pay-per-use, which is what makes the answer carry a job_id.
 */
function newInstanceBody(
  source: Instance,
  destination: Destination,
  restoreId: string,
  backup: BackupRef,
  region: string,
  password: string,
) {
  const flavor = destination.flavorRef ?? source.flavor_ref ?? source.nodes?.[0]?.flavor_ref;
  const multi = source.az_mode === "multi";
  const master = source.master_az_code ?? source.nodes?.[0]?.az_code;
  const strategy = source.backup_strategy;
  return {
    charge_info: { charge_mode: "postPaid" },
    region,
    name: destination.instanceName,
    datastore: {
      type: source.datastore?.type ?? "gaussdb-mysql",
      version: source.datastore?.version ?? "8.0",
    },
    mode: "Cluster",
    flavor_ref: flavor,
    vpc_id: source.vpc_id,
    subnet_id: source.subnet_id,
    ...(source.security_group_id ? { security_group_id: source.security_group_id } : {}),
    ...(source.configuration_id ? { configuration_id: source.configuration_id } : {}),
    ...(source.enterprise_project_id
      ? { enterprise_project_id: source.enterprise_project_id }
      : {}),
    password,
    ...(strategy
      ? {
          backup_strategy: {
            start_time: strategy.start_time,
            ...(strategy.keep_days != null ? { keep_days: String(strategy.keep_days) } : {}),
          },
        }
      : {}),
    ...(source.time_zone ? { time_zone: source.time_zone } : {}),
    availability_zone_mode: multi ? "multi" : "single",
    ...(master ? { master_availability_zone: master } : {}),
    slave_count: Math.min(9, Math.max(0, (source.node_count ?? source.nodes?.length ?? 2) - 1)),
    tags: [{ key: TAURUSDB_RESTORE_TAG, value: restoreId }],
    restore_point: {
      source_instance_id: backup.resourceId,
      backup_id: backup.backupId,
      type: "backup",
    },
  };
}

/**
 * No quota code is documented for TaurusDB (**UNCONFIRMED**): a refused create whose
 * message speaks of quota is QUOTA, whatever its code.
 */
function quotaOf(error: unknown): unknown {
  if (
    error instanceof ProviderError &&
    (error.cls === "INVALID" || error.cls === "CONFLICT" || error.cls === "UNKNOWN") &&
    /quota/i.test(error.message)
  ) {
    return new ProviderError({
      cls: "QUOTA",
      provider: error.provider,
      message: error.message,
      httpStatus: error.httpStatus,
      providerCode: error.providerCode,
      cause: error,
    });
  }
  return error;
}

const UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ";
const LOWER = "abcdefghijkmnopqrstuvwxyz";
const DIGITS = "23456789";
/** A subset of the documented specials (~!@#$%^*-_=+?,()&), none that shells or URLs mind. */
const SPECIAL = "~!@#%^*-_=+?";

/**
 * A random root password the documented rule accepts (8–32 characters, at least three of
 * upper case, lower case, digits and specials): 32 characters with all four, from
 * node:crypto. Never stored, logged or returned.
 */
export function rootPassword(): string {
  const all = UPPER + LOWER + DIGITS + SPECIAL;
  const pick = (set: string) => set[randomInt(set.length)]!;
  const chars = [pick(UPPER), pick(LOWER), pick(DIGITS), pick(SPECIAL)];
  while (chars.length < 32) chars.push(pick(all));
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join("");
}
