import type { Clock } from "../core/clock.ts";
import { newId } from "../core/ids.ts";
import { type CreateTargetInput, Target } from "../core/target.ts";
import { checkTarget, type ProviderFactory } from "../providers/registry.ts";
import type { Page } from "../store/page.ts";
import type { TargetRepository } from "../store/targets.ts";

/** Registering and reading targets. */
export class TargetService {
  readonly #targets: TargetRepository;
  readonly #clock: Clock;
  readonly #allowLoopback: boolean;
  readonly #providers: ProviderFactory | undefined;

  constructor(deps: {
    targets: TargetRepository;
    clock: Clock;
    allowLoopback?: boolean;
    /** When given, adapters that can check a resource at registration do so. */
    providers?: ProviderFactory;
  }) {
    this.#targets = deps.targets;
    this.#clock = deps.clock;
    this.#allowLoopback = deps.allowLoopback ?? false;
    this.#providers = deps.providers;
  }

  /** Registers a target after checking its vendor host; a taken id is a 409. */
  async create(input: CreateTargetInput): Promise<Target> {
    checkTarget(input, { allowLoopback: this.#allowLoopback });
    const now = this.#clock.now().toISOString();
    const target = Target.parse({
      ...input,
      id: input.id ?? newId("target", this.#clock.now().getTime()),
      createdAt: now,
      updatedAt: now,
      version: 0,
    });
    if (this.#providers) {
      const provider = await this.#providers(target);
      await provider.validateTarget?.();
    }
    return this.#targets.create(target);
  }

  get(id: string): Promise<Target> {
    return this.#targets.get(id);
  }

  list(options: { limit?: number; cursor?: string }): Promise<Page<Target>> {
    return this.#targets.list(options);
  }
}
