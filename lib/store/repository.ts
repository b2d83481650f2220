import { type Clock, systemClock } from "../core/clock.ts";
import type { TableClient } from "./client.ts";

/** Where a repository works: the table's client and name, and the clock it stamps times with. */
export interface RepositoryOptions {
  db: TableClient;
  table: string;
  /** Default: the system clock (repositories that stamp no times never read it). */
  clock?: Clock;
}

/** What every repository of the one table holds. */
export abstract class TableRepository {
  protected readonly db: TableClient;
  protected readonly table: string;
  protected readonly clock: Clock;

  constructor(options: RepositoryOptions) {
    this.db = options.db;
    this.table = options.table;
    this.clock = options.clock ?? systemClock;
  }
}
