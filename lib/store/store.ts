import type { Clock } from "../core/clock.ts";
import { BackupRepository } from "./backups.ts";
import type { TableClient } from "./client.ts";
import { DeliveryRepository } from "./deliveries.ts";
import { ExpiryRepository } from "./expiry.ts";
import { FreshnessRepository } from "./freshness.ts";
import { IdempotencyRepository } from "./idempotency.ts";
import { LeaseRepository } from "./leases.ts";
import { OutboxRepository } from "./outbox.ts";
import { PolicyRepository } from "./policies.ts";
import { RestoreRepository } from "./restores.ts";
import { RunRepository } from "./runs.ts";
import { TargetRepository } from "./targets.ts";

/** Every repository of the one table. Building it is cheap: nothing is sent until used. */
export interface Store {
  backups: BackupRepository;
  targets: TargetRepository;
  policies: PolicyRepository;
  leases: LeaseRepository;
  idempotency: IdempotencyRepository;
  runs: RunRepository;
  expiry: ExpiryRepository;
  outbox: OutboxRepository;
  deliveries: DeliveryRepository;
  restores: RestoreRepository;
  freshness: FreshnessRepository;
}

/**
 * The repositories over one table client.
 *
 * @example const store = createStore({ db: createTableClient(), table: "backup-warden", clock: systemClock });
 */
export function createStore(options: { db: TableClient; table: string; clock: Clock }): Store {
  const { db, table, clock } = options;
  return {
    backups: new BackupRepository({ db, table, clock }),
    targets: new TargetRepository({ db, table }),
    policies: new PolicyRepository({ db, table }),
    leases: new LeaseRepository({ db, table, clock }),
    idempotency: new IdempotencyRepository({ db, table, clock }),
    runs: new RunRepository({ db, table, clock }),
    outbox: new OutboxRepository({ db, table }),
    deliveries: new DeliveryRepository({ db, table, clock }),
    expiry: new ExpiryRepository({ db, table }),
    restores: new RestoreRepository({ db, table, clock }),
    freshness: new FreshnessRepository({ db, table, clock }),
  };
}
