import * as z from "zod";
import type { SimRequest, SimResponse } from "./http-sim-types.ts";

/**
 * Test hooks every backup vendor simulator offers besides its API: creating a backup
 * directly in its model (`POST /__sandbox/backups`, `sim.seedBackup`) and listing what it
 * holds in one vendor-neutral shape (`sim.inventory()`).
 */

/** The vendors whose simulators offer these hooks (the provider ids). */
export type VendorId = "zilliz" | "pinecone" | "huawei-taurusdb" | "huawei-dcs";

/** One backup a vendor still has, in one shape for all vendors (for test assertions). */
export interface InventoryEntry {
  vendor: VendorId;
  backupId: string;
  /** Zilliz cluster id, Pinecone index name, Huawei instance id. */
  resourceId: string;
  /** Pinecone `description ?? name`, TaurusDB `description || name`, DCS remark, Zilliz `""`. */
  label: string;
  /** The vendor's own status, as its API reports it. */
  status: string;
  /** Made by the vendor's automatic backup policy rather than on request. */
  automatic: boolean;
  /** Epoch ms. */
  createdAt: number;
}

/** What seeding a backup answers: its id, or why the vendor would not have one. */
export type SeedResult = { backupId: string } | { status: 404 | 409; message: string };

/**
 * A vendor's direct backup creation: `schema` validates (and fills defaults of) the input,
 * `seed` creates an already finished backup in the model, bypassing the vendor API.
 */
export interface BackupSeeder<Schema extends z.ZodType> {
  schema: Schema;
  seed(input: z.output<Schema>): SeedResult;
}

/**
 * Answers `POST /__sandbox/backups`: 201 `{backupId}`, 400 for a body that is not JSON or
 * does not fit the vendor's schema, 404 for an unknown resource, 409 for one that cannot
 * have backups.
 */
export function seedOverHttp(seeder: BackupSeeder<z.ZodType>, request: SimRequest): SimResponse {
  if (request.bodyError !== undefined) {
    return { status: 400, body: { error: `invalid JSON body: ${request.bodyError}` } };
  }
  const parsed = seeder.schema.safeParse(request.body);
  if (!parsed.success) {
    return {
      status: 400,
      body: {
        error: `invalid backup: ${z.prettifyError(parsed.error)}`,
        issues: parsed.error.issues,
      },
    };
  }
  const result = seeder.seed(parsed.data);
  if ("backupId" in result) return { status: 201, body: { backupId: result.backupId } };
  return { status: result.status, body: { error: result.message } };
}

/**
 * The JS form of seeding: validates `input` (a ZodError on bad input) and creates the backup.
 *
 * @returns the new backup's id
 * @throws Error when the resource is unknown or cannot have backups
 */
export function seedOrThrow<Schema extends z.ZodType>(
  seeder: BackupSeeder<Schema>,
  input: z.input<Schema>,
): string {
  const result = seeder.seed(seeder.schema.parse(input));
  if ("backupId" in result) return result.backupId;
  throw new Error(result.message);
}
