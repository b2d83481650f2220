import * as z from "zod";

/**
 * TaurusDB instances and their jobs (restore to a new instance, restore over an existing
 * one, delete) as the simulator stores them. Like backups, only creation facts and
 * timestamps are kept: statuses follow from them and the clock on every read. Passwords
 * are checked when a create arrives and never stored.
 */

/** An instance tag (`tags` on create; `InstanceTagItem` / `MysqlTags` when read back). */
export const instanceTagSchema = z.object({ key: z.string(), value: z.string() });

/** A TaurusDB instance as stored. */
export const storedInstanceSchema = z.object({
  /** 32 hex digits + `in07`, like the documented examples. */
  id: z.string(),
  name: z.string(),
  seq: z.number().int(),
  createdAt: z.number(),
  /** Time the creating job takes (0 for the instances a simulator starts with). */
  buildMs: z.number().nonnegative(),
  flavorRef: z.string(),
  vpcId: z.string(),
  subnetId: z.string(),
  securityGroupId: z.string(),
  availabilityZoneMode: z.enum(["single", "multi"]),
  masterAvailabilityZone: z.string(),
  datastoreVersion: z.string(),
  timeZone: z.string(),
  /** Read replicas: the instance has `slaveCount + 1` nodes. */
  slaveCount: z.number().int().min(0),
  backupStartTime: z.string(),
  backupKeepDays: z.string(),
  tags: z.array(instanceTagSchema),
  /** The backup its data came from when it was created by a restore; `null` otherwise. */
  createdFromBackup: z.string().nullable(),
  /** Set by a `fail-next-restore` fault on a restore to a new instance: it ends FAILED. */
  failReason: z.string().nullable(),
  deletedAt: z.number().nullable(),
});
export type StoredInstance = z.infer<typeof storedInstanceSchema>;

/** The job kinds the simulator runs on instances. */
export const INSTANCE_JOB_NAMES = {
  /** Documented (ListImmediateJobs `job_name`). */
  restoreNew: "RestoreGaussDBforMySQLNewInstance",
  /** ASSUMPTION (UNCONFIRMED): the job name of a restore over an existing instance is not listed. */
  restoreInPlace: "RestoreGaussDBforMySQLInstance",
  /** Documented (ListImmediateJobs `job_name`). */
  delete: "DeleteGaussDBforMySQLInstance",
} as const;

/** One job on an instance, as stored. */
export const storedInstanceJobSchema = z.object({
  id: z.string(),
  name: z.enum([
    INSTANCE_JOB_NAMES.restoreNew,
    INSTANCE_JOB_NAMES.restoreInPlace,
    INSTANCE_JOB_NAMES.delete,
  ]),
  instanceId: z.string(),
  instanceName: z.string(),
  seq: z.number().int(),
  createdAt: z.number(),
  durationMs: z.number().nonnegative(),
  /** The backup restored, for the restore jobs. */
  backupId: z.string().nullable(),
  /** Set by a `fail-next-restore` fault: the job ends Failed with this reason. */
  failReason: z.string().nullable(),
});
export type StoredInstanceJob = z.infer<typeof storedInstanceJobSchema>;

/** The fields the TaurusDB simulator adds to the shared Huawei state (older files: none). */
export const taurusDbInstancesShape = {
  /** Absent in a state file written before restores were simulated: seeded on start. */
  instances: z.array(storedInstanceSchema).optional(),
  instanceJobs: z.array(storedInstanceJobSchema).default([]),
};

/** A job's status at `now`, as `GET /v3/{project_id}/jobs` words it. */
export function instanceJobStatus(job: StoredInstanceJob, now: number): string {
  if (now < job.createdAt + job.durationMs) return "Running";
  return job.failReason === null ? "Completed" : "Failed";
}

/** The job's progress, `"60%"`, as the job APIs show it. */
export function instanceJobProcess(job: StoredInstanceJob, now: number): string {
  const share = job.durationMs === 0 ? 1 : (now - job.createdAt) / job.durationMs;
  return `${Math.max(0, Math.min(100, Math.floor(share * 100)))}%`;
}
