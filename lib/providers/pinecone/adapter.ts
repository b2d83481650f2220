/**
 * Pinecone control plane (backups) with plain fetch on {@link HttpProvider}.
 *
 * Why not the official SDK (measured 2026-11 with `npm pack @pinecone-database/pinecone`,
 * version 8.2.0, the registry's latest; esbuild --bundle --minify --platform=node of a
 * file calling create/describe/delete/list backup): 567 KB minified (96 KB gzipped)
 * against ~0 for fetch, because the control, data, inference and assistant clients come
 * together. It accepts an injected `fetchApi`, but it does not map 429, 402 or 412 to
 * typed errors (they surface as `PineconeUnmappedHttpError` without `Retry-After`) and it
 * retries 5xx on its own, where our workflows own retries. Four endpoints do not justify it.
 */
import * as z from "zod";
import { ProviderError } from "../../core/provider-error.ts";
import type { TargetOf } from "../../core/target.ts";
import type { ApiKeySecret } from "../../core/vendors.ts";
import type { HttpProviderOptions, VendorRequest, VendorResponse } from "../http.ts";
import { HttpProvider, listingTooLong, parseVendor, pathSegment } from "../http.ts";
import {
  type BackupProvider,
  type BackupRef,
  type BackupState,
  ourLabel,
  ownerIdOfLabel,
  type VendorBackup,
  type VendorRestores,
} from "../port.ts";
import { classifyPineconeError } from "./errors.ts";
import { PineconeRestores } from "./restores.ts";

/**
 * The API version every request pins (`X-Pinecone-Api-Version`, required from 2025-10 on;
 * docs/providers.md §2.1). 2026-04 is what the current SDK (8.2.0) pins; the backup endpoints
 * and the fields read here are the same from 2025-04 to 2026-07.
 */
export const PINECONE_API_VERSION = "2026-04";

/** The prefix of every backup name we give, so our backups can be told apart. */
const BACKUP_NAME_PREFIX = "bw-";
/** Pinecone backup names: 1–45 of a-z, 0-9 and '-', alphanumeric at both ends. */
const NAME_LIMIT = 45;
/** A safety stop for a vendor that keeps returning tokens: 50 × 100 is 5× the top quota. */
const MAX_LIST_PAGES = 50;

const ErrorEnvelope = z.object({
  error: z.object({ code: z.string(), message: z.string().optional() }),
  status: z.number().optional(),
});
const Backup = z.object({
  backup_id: z.string(),
  /** Ours are named `bw-…` (backupNameFor); the documented examples send null for none. */
  name: z.string().nullish(),
  description: z.string().nullish(),
  source_index_name: z.string(),
  status: z.string(),
  size_bytes: z.number().nullish(),
  created_at: z.string().nullish(),
});
const BackupList = z.object({
  data: z.array(Backup),
  pagination: z.object({ next: z.string().nullish() }).nullish(),
});
const IndexModel = z.object({ name: z.string(), spec: z.record(z.string(), z.unknown()) });

/**
 * Maps a backup status (docs/providers.md §2.4, §6.2). The status is a free string: anything
 * containing "Fail" (`Failed`, `InitializationFailed`) is FAILED, and an unknown value is
 * still RUNNING, bounded by the workflow's completion window.
 */
export function pineconeBackupState(backup: z.infer<typeof Backup>): BackupState {
  if (backup.status === "Ready") {
    return {
      status: "AVAILABLE",
      providerStatus: backup.status,
      ...(typeof backup.size_bytes === "number" ? { sizeBytes: backup.size_bytes } : {}),
    };
  }
  if (/fail/i.test(backup.status)) {
    // The backup model has no reason field: the status is all Pinecone tells.
    return {
      status: "FAILED",
      providerStatus: backup.status,
      failureReason: `Pinecone reports backup ${backup.backup_id} as ${backup.status}`,
    };
  }
  return { status: "RUNNING", providerStatus: backup.status };
}

/**
 * Our backup id as a Pinecone backup name: `bw-` + the id without its type prefix,
 * lower-cased, other characters as '-', at most 45 characters, alphanumeric at both ends.
 *
 * @example backupNameFor("bk_01JD3X…") // "bw-01jd3x…"
 */
export function backupNameFor(backupId: string): string {
  const core = backupId
    .toLowerCase()
    .replace(/^[a-z]+_/, "")
    .replace(/[^a-z0-9]+/g, "-");
  return `${BACKUP_NAME_PREFIX}${core}`.slice(0, NAME_LIMIT).replace(/-+$/, "");
}

/**
 * Our id from a `bw-` name, only in the exact shape our generated ids give (`bw-` and a
 * 26-character ULID): an operator's own `bw-nightly` is not ours.
 */
function ownerIdOfName(name: string | null | undefined): string | undefined {
  const ulid = /^bw-([0-9a-hjkmnp-tv-z]{26})$/.exec(name ?? "")?.[1];
  return ulid ? `bk_${ulid}` : undefined;
}

/**
 * Pinecone serverless index backups: create, describe, asynchronous delete (202, then
 * describe until 404), a 412 while a restore from the backup is pending; restores into a
 * new index ({@link PineconeRestores}, docs/providers.md §2.6).
 */
export class PineconeProvider extends HttpProvider implements BackupProvider {
  readonly name = "pinecone" as const;
  readonly labelsBackups = true;
  protected readonly providerName = "pinecone";
  readonly #credentials: ApiKeySecret;
  readonly #indexName: string;
  /** Into a new index of the same project (the API key's), tagged with our restore id. */
  readonly restores: VendorRestores = new PineconeRestores((request) => this.send(request));

  constructor(
    options: HttpProviderOptions & {
      credentials: ApiKeySecret;
      target: TargetOf<"pinecone">;
    },
  ) {
    super(options);
    this.#credentials = options.credentials;
    this.#indexName = options.target.resource.indexName;
  }

  protected authHeaders(): Record<string, string> {
    return { "api-key": this.#credentials.apiKey, "x-pinecone-api-version": PINECONE_API_VERSION };
  }

  protected secretValues(): readonly string[] {
    return [this.#credentials.apiKey];
  }

  protected check(response: VendorResponse, _request: VendorRequest): VendorResponse {
    if (response.status >= 200 && response.status < 300) return response;
    const envelope = ErrorEnvelope.safeParse(response.body);
    const code = envelope.success ? envelope.data.error.code : undefined;
    const message = envelope.success ? envelope.data.error.message : undefined;
    throw this.fail(response, classifyPineconeError(response.status, code, message), {
      code,
      message,
    });
  }

  /** Backups exist for serverless indexes only (docs/providers.md §2.5). */
  async validateTarget(): Promise<void> {
    const response = await this.send({ method: "GET", path: this.#indexPath() });
    const index = parseVendor("pinecone", "index", IndexModel, response.body);
    // ASSUMPTION (UNCONFIRMED): only pod-based indexes are refused; whether BYOC indexes
    // support backups is not documented, so they are let through.
    if ("pod" in index.spec) {
      throw new ProviderError({
        cls: "INVALID",
        provider: "pinecone",
        message: `pinecone index ${index.name} is pod-based; backups exist for serverless indexes only`,
      });
    }
  }

  async createBackup(request: {
    backupId: string;
  }): Promise<{ ref: BackupRef; state: BackupState }> {
    const response = await this.send({
      method: "POST",
      path: `${this.#indexPath()}/backups`,
      body: {
        name: backupNameFor(request.backupId),
        description: ourLabel(request.backupId),
      },
    });
    const backup = parseVendor("pinecone", "create-backup response", Backup, response.body);
    return {
      ref: { backupId: backup.backup_id, resourceId: this.#indexName },
      state: pineconeBackupState(backup),
    };
  }

  async getBackupStatus(ref: BackupRef): Promise<BackupState> {
    try {
      const response = await this.send({ method: "GET", path: backupPath(ref) });
      return pineconeBackupState(parseVendor("pinecone", "backup", Backup, response.body));
    } catch (error) {
      if (isNotFound(error)) return { status: "DELETED", providerStatus: "NOT_FOUND" };
      throw error;
    }
  }

  /** 202 is only "accepted": the backup is gone when describe answers 404. */
  async deleteBackup(ref: BackupRef): Promise<{ status: "DELETED" | "DELETING" }> {
    try {
      await this.send({ method: "DELETE", path: backupPath(ref) });
    } catch (error) {
      // Only 404 means done; 412 (pending restore) stays a CONFLICT for a later retry.
      if (isNotFound(error)) return { status: "DELETED" };
      throw error;
    }
    return { status: "DELETING" };
  }

  /**
   * The index's backups. Ours are told apart by the description we gave
   * (`backup-warden <id>`), or else by the `bw-` name, which maps back to our id.
   */
  async listBackups(options: { since?: Date } = {}): Promise<VendorBackup[]> {
    // A minute of slack for clock skew between us and the vendor.
    const from = options.since ? options.since.getTime() - 60_000 : Number.NEGATIVE_INFINITY;
    const found: VendorBackup[] = [];
    let token: string | undefined;
    for (let page = 0; ; page++) {
      if (page >= MAX_LIST_PAGES)
        throw listingTooLong(
          "pinecone",
          `backup list of index ${this.#indexName}`,
          `${MAX_LIST_PAGES} pages`,
        );
      const response = await this.send({
        method: "GET",
        path: `${this.#indexPath()}/backups`,
        query: { limit: 100, paginationToken: token },
      });
      const list = parseVendor("pinecone", "backup list", BackupList, response.body);
      for (const backup of list.data) {
        const createdAt = backup.created_at ? Date.parse(backup.created_at) : Number.NaN;
        if (createdAt < from) continue;
        const ownerId = ownerIdOfLabel(backup.description) ?? ownerIdOfName(backup.name);
        found.push({
          ref: { backupId: backup.backup_id, resourceId: this.#indexName },
          state: pineconeBackupState(backup),
          ...(backup.created_at ? { createdAt: backup.created_at } : {}),
          ...(ownerId ? { ownerId } : {}),
          automatic: false,
          sameKind: true,
        });
      }
      const next = list.pagination?.next ?? undefined;
      if (!next || next === token) break;
      token = next;
    }
    return found;
  }

  #indexPath(): string {
    return `/indexes/${pathSegment("pinecone", "index name", this.#indexName)}`;
  }
}

function backupPath(ref: BackupRef): string {
  return `/backups/${pathSegment("pinecone", "backup id", ref.backupId)}`;
}

function isNotFound(error: unknown): boolean {
  return error instanceof ProviderError && error.cls === "NOT_FOUND";
}
