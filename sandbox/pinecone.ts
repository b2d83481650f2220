import { randomBytes, randomUUID } from "node:crypto";
import * as z from "zod";
import { faultKind, faultSchemaWith } from "./fault-queue.ts";
import type { SimRequest, SimRoute } from "./http-sim.ts";
import {
  type PineconeState,
  pineconeError,
  pineconeErrorBody,
  pineconeStateSchema,
} from "./pinecone-model.ts";
import {
  newIndex,
  type PineconeFault,
  PineconeService,
  type pineconeSeedSchema,
} from "./pinecone-service.ts";
import {
  type RateLimitOptions,
  type SimulatorHandle,
  type SimulatorOptions,
  startSimulator,
} from "./simulator.ts";
import { type InventoryEntry, seedOrThrow } from "./vendor-hooks.ts";

export type {
  FailNextBackupFault,
  FailNextRestoreFault,
  PineconeFault,
} from "./pinecone-service.ts";

/**
 * Options of {@link startPineconeSimulator}. Pinecone's control-plane rate limits are
 * UNCONFIRMED (docs/providers.md §2.5), so `rateLimitPerSecond` has no realistic default.
 */
export interface PineconeSimulatorOptions extends SimulatorOptions, RateLimitOptions {
  /** The accepted `Api-Key`; default: a random one (kept in `stateFile` when set). */
  apiKey?: string;
  /** Serverless indexes that exist; default {@link DEFAULT_PINECONE_INDEX}. */
  indexes?: string[];
  /** Pod-based indexes: they exist but cannot be backed up. */
  podIndexes?: string[];
  /** Time from create to `Ready`; default 20 000 ms. */
  backupDurationMs?: number;
  /** How long describe (backup or index) still answers 200 after a DELETE; default 5 000 ms. */
  deleteDurationMs?: number;
  /** How long a restore job stays `Pending` (and blocks deleting its backup); default 30 000 ms. */
  restoreDurationMs?: number;
  /** Backups the project may hold before create answers 403; default 500 (Standard plan). */
  backupQuota?: number;
  /** Serverless indexes the project may hold before a restore answers 403; default 20 (Standard plan). */
  indexQuota?: number;
}

/** A running Pinecone control-plane simulator (its `url` stands for `https://api.pinecone.io`). */
export interface PineconeSimulator extends SimulatorHandle<PineconeFault> {
  apiKey: string;
  /** The serverless indexes given at start. */
  indexes: string[];
  /** The names of the indexes the project has now (restored ones too; deleted ones once gone drop out), oldest first. */
  indexNames(): string[];
  /**
   * Adds `count` backups of `index` (default: the first) that are `Ready` at once, as the
   * newest ones: many backups for paging without `count` requests.
   *
   * @returns their ids, oldest first
   */
  seedBackups(count: number, index?: string): string[];
  /**
   * Creates one `Ready` backup directly in the model (no quota check, no API call); the
   * same as `POST /__sandbox/backups`.
   *
   * @returns its backup id
   * @throws ZodError on bad input; Error for an unknown or pod-based index
   */
  seedBackup(input: z.input<typeof pineconeSeedSchema>): string;
  /** The backups the project still has (not deleted), oldest first. */
  inventory(): InventoryEntry[];
}

/** The default serverless index. */
export const DEFAULT_PINECONE_INDEX = "docs-example";

/**
 * API versions that have the backup endpoints (docs/providers.md §2.1). ASSUMPTION
 * (UNCONFIRMED): the version header is declared required from 2025-10 on; the simulator
 * answers 400 INVALID_ARGUMENT to a missing header or to a version without backups. The
 * real service may instead fall back to a default version.
 */
export const SUPPORTED_API_VERSIONS = ["2025-04", "2025-10", "2026-04", "2026-07"] as const;

/**
 * Starts a Pinecone control-plane simulator on loopback speaking the documented backup
 * API (docs/providers.md §2): create, list (project and index, paginated), describe and delete
 * backups; create an index from a backup (a restore), follow its restore job, describe and
 * delete indexes. Statuses follow the clock lazily: `Initializing` → `Ready` (or the
 * `fail-next-backup` status), 200 → 404 after a DELETE, `Pending` → `Completed` (or the
 * `fail-next-restore` status) for restores, and the restored index `Initializing` → `Ready`.
 *
 * @example
 * ```ts
 * const sim = await startPineconeSimulator({ backupDurationMs: 1_000 });
 * await fetch(`${sim.url}/indexes/${sim.indexes[0]}/backups`, {
 *   method: "POST",
 *   headers: { "api-key": sim.apiKey, "x-pinecone-api-version": "2026-04", "content-type": "application/json" },
 *   body: JSON.stringify({ name: "nightly" }),
 * });
 * await sim.close();
 * ```
 */
export async function startPineconeSimulator(
  options: PineconeSimulatorOptions = {},
): Promise<PineconeSimulator> {
  const indexes = options.indexes ?? [DEFAULT_PINECONE_INDEX];
  // The job of a Pinecone backup is the backup itself: `Initializing` until it is done.
  const timed = { ...options, jobDurationMs: options.backupDurationMs };
  const { handle, state, behaviour } = await startSimulator(timed, {
    stateSchema: pineconeStateSchema,
    initialState: (): PineconeState => ({
      version: 1,
      apiKey: options.apiKey ?? `pcsk_sandbox_${randomBytes(24).toString("hex")}`,
      seq: 0,
      indexes: [],
      backups: [],
      restoreJobs: [],
    }),
    overrides: { apiKey: options.apiKey },
    faultSchema: faultSchemaWith<PineconeFault>(
      z.discriminatedUnion("kind", [
        faultKind("fail-next-backup", { status: z.string().min(1).optional() }),
        faultKind("fail-next-restore", { status: z.string().min(1).optional() }),
      ]),
    ),
    errorBody: (status, message) => pineconeErrorBody(status, message),
    authenticate: (request, current) => authenticate(request, current.apiKey),
    callerOf: (request) => String(request.headers["api-key"] ?? ""),
    secrets: (current) => [current.apiKey],
    serve: (context) => {
      addIndexes(context.state, indexes, options.podIndexes ?? []);
      context.save();
      const service = new PineconeService({
        ...context,
        restoreDurationMs: options.restoreDurationMs ?? 30_000,
        backupQuota: options.backupQuota ?? 500,
        indexQuota: options.indexQuota ?? 20,
      });
      return {
        service,
        routes: pineconeRoutes(service),
        dump: (now: number) => service.dump(now),
        seeder: service.seeder,
      };
    },
  });
  return {
    ...handle,
    apiKey: state.apiKey,
    indexes,
    indexNames: () => behaviour.service.indexNames(),
    seedBackups: (count, index = indexes[0]!) => behaviour.service.seedBackups(index, count),
    seedBackup: (input) => seedOrThrow(behaviour.service.seeder, input),
    inventory: () => behaviour.service.inventory(),
  };
}

/** Indexes given at start exist from then on; those kept in the state file stay too. */
function addIndexes(state: PineconeState, serverless: string[], pod: string[]): void {
  for (const [names, kind] of [
    [serverless, "serverless"],
    [pod, "pod"],
  ] as const) {
    for (const name of names) {
      if (!state.indexes.some((index) => index.name === name)) {
        state.indexes.push(newIndex(name, randomUUID(), kind));
      }
    }
  }
}

/** The documented control-plane endpoints, each answered by one service operation. */
function pineconeRoutes(service: PineconeService): SimRoute[] {
  return [
    {
      method: "GET",
      pattern: "/indexes/:indexName",
      handler: (r) => service.describeIndex(r.params.indexName!),
    },
    {
      method: "DELETE",
      pattern: "/indexes/:indexName",
      handler: (r) => service.deleteIndex(r.params.indexName!),
    },
    {
      method: "POST",
      pattern: "/indexes/:indexName/backups",
      handler: (r) => service.createBackup(r.params.indexName!, r, r),
    },
    {
      method: "GET",
      pattern: "/indexes/:indexName/backups",
      handler: (r) => service.listBackups(r.query, r.params.indexName!),
    },
    { method: "GET", pattern: "/backups", handler: (r) => service.listBackups(r.query) },
    {
      method: "GET",
      pattern: "/backups/:backupId",
      handler: (r) => service.describeBackup(r.params.backupId!),
    },
    {
      method: "DELETE",
      pattern: "/backups/:backupId",
      handler: (r) => service.deleteBackup(r.params.backupId!),
    },
    {
      method: "POST",
      pattern: "/backups/:backupId/create-index",
      handler: (r) => service.createIndexFromBackup(r.params.backupId!, r, r),
    },
    { method: "GET", pattern: "/restore-jobs", handler: (r) => service.listRestoreJobs(r.query) },
    {
      method: "GET",
      pattern: "/restore-jobs/:jobId",
      handler: (r) => service.describeRestoreJob(r.params.jobId!),
    },
  ];
}

/**
 * A missing or wrong `Api-Key` is 401 with the documented example message; then the
 * version header is checked (see {@link SUPPORTED_API_VERSIONS}).
 */
function authenticate(request: SimRequest, apiKey: string) {
  if (request.headers["api-key"] !== apiKey) return pineconeError(401, "Invalid API key.");
  const version = request.headers["x-pinecone-api-version"];
  if (typeof version !== "string" || version === "") {
    return pineconeError(400, "Missing required header: X-Pinecone-Api-Version");
  }
  if (!(SUPPORTED_API_VERSIONS as readonly string[]).includes(version)) {
    return pineconeError(
      400,
      `Unsupported API version ${version}; backups need one of ${SUPPORTED_API_VERSIONS.join(", ")}`,
    );
  }
  return undefined;
}
