import { Target } from "../core/target.ts";
import type { TableClient } from "./client.ts";
import { EntityRepository } from "./entity-repository.ts";
import { Keys } from "./keys.ts";

/** Registered targets. */
export class TargetRepository extends EntityRepository<Target> {
  constructor(options: { db: TableClient; table: string }) {
    super(options, {
      entity: "target",
      schema: Target,
      key: Keys.target,
      item: (target) => ({
        ...Keys.target(target.id),
        ...Keys.targetIndex(target.createdAt, target.id),
        entity: "target",
        ...target,
      }),
      listPartition: "TARGETS",
    });
  }
}
