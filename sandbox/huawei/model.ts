import * as z from "zod";
import type { SimulatorContext } from "../simulator.ts";
import { deletableRecordShape, timedRecordShape } from "../state-file.ts";
import type { BackupSeeder, InventoryEntry } from "../vendor-hooks.ts";

/**
 * The fields every stored Huawei backup record has, whatever the service. Only creation
 * facts and timestamps are stored: statuses are derived from them and the clock on every
 * read, so a simulator restarted from its state file continues where it stopped.
 */
export const huaweiBackupShape = {
  instanceId: z.string(),
  /** Creation order, to keep "newest first" stable for equal timestamps. */
  seq: z.number().int(),
  ...timedRecordShape,
  ...deletableRecordShape,
};

/** The fields of {@link huaweiBackupShape}, which every Huawei backup record has. */
export type HuaweiBackupFields = z.infer<z.ZodObject<typeof huaweiBackupShape>>;

/** The persisted state of a Huawei simulator: gateway credentials, project, backups. */
export interface HuaweiState<Backup> {
  version: 1;
  /** Generated credentials, kept so a restarted demo accepts what its clients were given. */
  ak: string;
  sk: string;
  projectId: string;
  seq: number;
  backups: Backup[];
}

/** The state-file schema of a Huawei simulator whose backups `backup` validates. */
export function huaweiStateSchema<Backup extends z.ZodType>(backup: Backup) {
  return z.object({
    version: z.literal(1),
    ak: z.string(),
    sk: z.string(),
    projectId: z.string(),
    seq: z.number().int(),
    backups: z.array(backup),
  });
}

/** Everything a Huawei service's behaviour depends on: context, timings, instances. */
export interface HuaweiServiceOptions<Backup, Extra extends { kind: string }, Instance>
  extends SimulatorContext<HuaweiState<Backup>, Extra> {
  instances: Instance[];
}

/** What the shared gateway needs of a Huawei service besides its routes. */
export interface HuaweiBackupService {
  /** Adds `count` finished manual backups to an instance; their ids. */
  seed(instanceId: string, count: number): string[];
  /** Creates one finished backup directly in the model (`POST /__sandbox/backups`). */
  readonly seeder: BackupSeeder<z.ZodType>;
  /** The backups the service still has now (none deleted), oldest first. */
  inventory(): InventoryEntry[];
  /** Everything the simulator knows, rendered at `now` (`GET /__sandbox/state`). */
  dump(now: number): unknown;
}

/**
 * Adds `count` finished manual backups of an instance, made one second apart over the
 * last `count` seconds (tests that need long lists without building each backup). The
 * service adds its own fields to the shared ones; the state is saved once.
 *
 * @returns the new records, oldest first
 */
export function seedFinishedBackups<Backup extends HuaweiBackupFields>(
  context: Pick<SimulatorContext<HuaweiState<Backup>, never>, "state" | "now" | "save">,
  instanceId: string,
  count: number,
  complete: (fields: HuaweiBackupFields) => Backup,
): Backup[] {
  const { state } = context;
  const now = context.now();
  const seeded = Array.from({ length: count }, (_, i) => {
    state.seq += 1;
    const createdAt = now - (count - i) * 1_000;
    return complete({ instanceId, seq: state.seq, createdAt, durationMs: 0, deletedAt: null });
  });
  state.backups.push(...seeded);
  context.save();
  return seeded;
}

/**
 * The admin dump of a Huawei service at `now`: project, instances and every stored record
 * with what the service derives from it and the clock (its status).
 */
export function huaweiDump<Backup>(
  options: { state: HuaweiState<Backup>; instances: unknown[] },
  now: number,
  derived: (backup: Backup) => object,
): unknown {
  return {
    now: new Date(now).toISOString(),
    projectId: options.state.projectId,
    instances: options.instances,
    backups: options.state.backups.map((backup) => ({ ...backup, ...derived(backup) })),
  };
}
