import type { BackupRecord } from "../core/backup.ts";
import type { Clock } from "../core/clock.ts";
import { ConflictError, ValidationError } from "../core/errors.ts";
import { newId } from "../core/ids.ts";
import { type CreateTargetInput, Target, type UpdateTargetInput } from "../core/target.ts";
import { checkTarget } from "../providers/registry.ts";
import type { BackupRepository } from "../store/backups.ts";
import type { IdempotencyRepository } from "../store/idempotency.ts";
import type { Page } from "../store/page.ts";
import type { TargetRepository } from "../store/targets.ts";
import { idempotently } from "./idempotent.ts";
import type { TargetValidator } from "./target-validation.ts";

/** Registering and reading targets. */
export class TargetService {
  readonly #targets: TargetRepository;
  readonly #clock: Clock;
  readonly #allowLoopback: boolean;
  readonly #validator: TargetValidator | undefined;
  readonly #backups: BackupRepository;
  readonly #idempotency: IdempotencyRepository;
  readonly #expire: (backupId: string, reason: string) => Promise<void>;
  readonly #maxWindowMinutes: number | undefined;

  constructor(deps: {
    targets: TargetRepository;
    clock: Clock;
    allowLoopback?: boolean;
    /** This deployment's cap on a target's completion window (WARDEN_MAX_COMPLETION_WINDOW_HOURS). */
    maxCompletionWindowMinutes?: number;
    /** When given, a new target is checked at its vendor before it is stored. */
    validator?: TargetValidator;
    backups: BackupRepository;
    idempotency: IdempotencyRepository;
    /** Expires one backup (the retention lifecycle's `expire`). */
    expire: (backupId: string, reason: string) => Promise<void>;
  }) {
    this.#backups = deps.backups;
    this.#idempotency = deps.idempotency;
    this.#expire = deps.expire;
    this.#targets = deps.targets;
    this.#clock = deps.clock;
    this.#allowLoopback = deps.allowLoopback ?? false;
    this.#validator = deps.validator;
    this.#maxWindowMinutes = deps.maxCompletionWindowMinutes;
  }

  /** A completion window above this deployment's cap is the caller's mistake, said plainly. */
  #checkWindow(input: { completionWindowMinutes?: number }): void {
    const cap = this.#maxWindowMinutes;
    const asked = input.completionWindowMinutes;
    if (cap === undefined || asked === undefined || asked <= cap) return;
    throw new ValidationError(
      "completion window above this deployment's cap",
      [
        {
          path: "completionWindowMinutes",
          message: `${asked} is above this deployment's cap of ${cap} minutes (WARDEN_MAX_COMPLETION_WINDOW_HOURS)`,
        },
      ],
      422,
    );
  }

  /**
   * Registers a target after checking its vendor host; a taken id is a 409. With an
   * Idempotency-Key, a repeat returns the first result (`created: false`).
   */
  async create(
    input: CreateTargetInput,
    idempotencyKey?: string,
  ): Promise<{ entity: Target; created: boolean }> {
    this.#checkWindow(input);
    await checkTarget(input, { allowLoopback: this.#allowLoopback });
    const now = this.#clock.now().toISOString();
    const target = Target.parse({
      ...input,
      id: input.id ?? newId("target", this.#clock.now().getTime()),
      createdAt: now,
      updatedAt: now,
      version: 0,
    });
    const { result, created } = await idempotently(
      this.#idempotency,
      {
        scope: "create-target",
        key: idempotencyKey,
        body: input,
        resultId: target.id,
        now: this.#clock.now(),
      },
      async () => {
        await this.#validator?.validate(target);
        return this.#targets.create(target);
      },
      (id) => this.#targets.find(id),
    );
    return { entity: result, created };
  }

  /** Replaces a target's settings; the vendor cannot change (register a new target). */
  async update(id: string, input: UpdateTargetInput, expectedVersion?: number): Promise<Target> {
    const current = await this.#targets.get(id);
    if (current.retiredAt)
      throw new ConflictError(`target ${id} is being deleted`, { retiredAt: current.retiredAt });
    if (input.provider !== current.provider) {
      throw new ValidationError(
        "the vendor of a target cannot change",
        [{ path: "provider", message: `is ${current.provider}; register a new target instead` }],
        422,
      );
    }
    this.#checkWindow(input);
    await checkTarget(input, { allowLoopback: this.#allowLoopback });
    const target = Target.parse({
      ...input,
      id,
      createdAt: current.createdAt,
      updatedAt: this.#clock.now().toISOString(),
      version: current.version + 1,
    });
    return this.#targets.replace(target, expectedVersion ?? current.version);
  }

  /**
   * Deletes a target. A target with backups needs an explicit choice: `keep` (records
   * and vendor backups stay, unmanaged) or `expire` (every backup is expired — held ones
   * excepted — and the target is retired until they are gone; the sweeper then removes it).
   */
  async delete(
    id: string,
    choice?: "keep" | "expire",
  ): Promise<{ deleted: boolean; expiring: string[]; held: string[] }> {
    const target = await this.#targets.get(id);
    const live = (await this.#backups.listAllOfTarget(id)).filter(isLive);
    if (live.length === 0) {
      await this.#targets.delete(id);
      return { deleted: true, expiring: [], held: [] };
    }
    if (!choice) {
      throw new ConflictError(
        `target ${id} has ${live.length} backup(s): choose ?backups=keep (leave them) or ?backups=expire (delete them)`,
        { backups: live.length },
      );
    }
    const running = live.filter((b) => b.status === "PENDING" || b.status === "CREATING");
    if (running.length > 0) {
      throw new ConflictError(
        `target ${id} has a backup running (${running[0]!.id}); delete it once that ends`,
        {
          running: running.map((b) => b.id),
        },
      );
    }
    if (choice === "keep") {
      await this.#targets.delete(id);
      return { deleted: true, expiring: [], held: [] };
    }
    await this.#targets.replace(
      { ...target, retiredAt: this.#clock.now().toISOString(), version: target.version + 1 },
      target.version,
    );
    const held = live.filter((b) => b.hold).map((b) => b.id);
    const expiring: string[] = [];
    // Unmanaged backups (the console's, the vendor's own) were never ours to delete: they
    // stay at the vendor, and their records with the retired target.
    for (const backup of live.filter(
      (b) => b.status === "AVAILABLE" && !b.hold && b.origin !== "unmanaged",
    )) {
      await this.#expire(backup.id, `target ${id} deleted`);
      expiring.push(backup.id);
    }
    return { deleted: false, expiring, held };
  }

  get(id: string): Promise<Target> {
    return this.#targets.get(id);
  }

  list(options: { limit?: number; cursor?: string }): Promise<Page<Target>> {
    return this.#targets.list(options);
  }
}

/** A backup that still exists (or may still exist) at the vendor. */
export function isLive(b: BackupRecord): boolean {
  if (b.status === "DELETED") return false;
  if (b.status === "FAILED") return b.providerBackupId !== undefined;
  return true;
}
