import { ProviderError, type ProviderErrorClass } from "../core/provider-error.ts";
import type { RateBudget, RateScope, Turn } from "./rate-budget.ts";
import {
  bucketFor,
  credentialFingerprint,
  type RateLimitClock,
  type RateLimitSettings,
  rateLimitSettings,
} from "./rate-limit.ts";
import { scrubSecrets } from "./scrub.ts";

/** One request to a vendor API. */
export interface VendorRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A vendor response with the body parsed as JSON when it is JSON. */
export interface VendorResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

/** Options every adapter shares. */
export interface HttpProviderOptions {
  baseUrl: string;
  /** Injected fetch (tests, simulators); defaults to the global one. */
  fetch?: typeof fetch;
  /** Per-request timeout; default 30 s (Zilliz cuts control-plane calls at 60 s). */
  timeoutMs?: number;
  /**
   * The target's credentials. The base only hashes them, to give each vendor account its
   * own rate-limit bucket; they are never kept or logged in clear here.
   */
  credentials?: unknown;
  /**
   * Overrides of the vendor's client-side rate limit (its `rateLimit` in
   * lib/core/vendors.ts), plus an injected clock for tests.
   */
  rateLimit?: Partial<RateLimitSettings> & { clock?: RateLimitClock };
  /**
   * The fleet's shared budget (lib/providers/rate-budget.ts): every container calling the
   * account counts against one limit, and a 429 shrinks it. Without one (adapters built
   * directly, in unit tests), a token bucket per process limits the calls.
   */
  budget?: RateBudget;
}

/** `Retry-After` in milliseconds (seconds or HTTP date), if present and sane. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const value = headers.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The class HTTP itself implies, before any vendor code is read. */
export function classOfHttpStatus(status: number): ProviderErrorClass | undefined {
  if (status === 429) return "THROTTLED";
  if (status === 401 || status === 403) return "AUTH";
  if (status === 404) return "NOT_FOUND";
  if (status === 408 || status >= 500) return "TRANSIENT";
  if (status >= 400) return "INVALID";
  return undefined;
}

/**
 * Shared behaviour of every HTTP vendor adapter: URL building, timeouts, JSON parsing
 * and turning transport failures into classified {@link ProviderError}s. A vendor
 * subclass implements only its I/O: paths, bodies, and how its error envelope reads.
 * Credentials travel in headers built by the subclass and are never put in messages.
 */
export abstract class HttpProvider {
  protected abstract readonly providerName: string;
  readonly #baseUrl: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #account: string;
  readonly #rateLimit: HttpProviderOptions["rateLimit"];
  readonly #budget: RateBudget | undefined;
  #limiter: { scope: RateScope; take(): Promise<void> } | undefined;

  constructor(options: HttpProviderOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#account = credentialFingerprint(options.credentials);
    this.#rateLimit = options.rateLimit;
    this.#budget = options.budget;
  }

  /** Headers that authenticate a request (vendor-specific). */
  protected abstract authHeaders(
    request: VendorRequest,
    url: URL,
  ): Promise<Record<string, string>> | Record<string, string>;

  /**
   * The credential values this adapter sends (keys, passwords, tokens it was issued): the
   * vendor text of every error is scrubbed of them before it becomes a message.
   */
  protected abstract secretValues(): readonly (string | undefined)[];

  /**
   * Reads a vendor response: returns it when it is a success, or throws a classified
   * {@link ProviderError} (vendor envelope codes are the subclass's business).
   */
  protected abstract check(response: VendorResponse, request: VendorRequest): VendorResponse;

  /**
   * Sends one request; never retries (the workflows do, with backoff and jitter). Waits
   * for the account's rate-limit slot first (the fleet's budget, or this process's bucket),
   * so a signature made below is fresh; a 429 shrinks the fleet's budget.
   *
   * @throws ProviderError THROTTLED without calling the vendor when the client-side limit
   *   would make the request wait too long
   */
  protected async send(request: VendorRequest): Promise<VendorResponse> {
    const limiter = this.#limiterOf();
    await limiter.take();
    const url = new URL(this.#baseUrl + request.path);
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const headers: Record<string, string> = {
      accept: "application/json",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...request.headers,
    };
    Object.assign(headers, await this.authHeaders({ ...request, headers }, url));
    let raw: Response;
    try {
      raw = await this.#fetch(url, {
        method: request.method,
        headers,
        body,
        // Credentials travel only to the vendor's own host: a redirect is never followed.
        redirect: "manual",
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      throw new ProviderError({
        cls: "TRANSIENT",
        provider: this.providerName,
        message: timedOut
          ? `${this.providerName} did not answer ${request.method} ${request.path} within ${this.#timeoutMs} ms`
          : `${this.providerName} could not be reached (${error instanceof Error ? error.name : "error"})`,
      });
    }
    if (raw.status >= 300 && raw.status < 400) {
      await raw.body?.cancel();
      throw new ProviderError({
        cls: "INVALID",
        provider: this.providerName,
        httpStatus: raw.status,
        message: `${this.providerName} answered ${request.method} ${request.path} with a redirect (HTTP ${raw.status}); requests carrying credentials never follow one`,
      });
    }
    if (raw.status === 429 && this.#budget) {
      // The vendor counts differently than we do (or someone else uses the account): slow
      // the whole fleet down. Failing to record it must not hide the vendor's answer.
      await this.#budget.shrink(limiter.scope, retryAfterMs(raw.headers)).catch(() => undefined);
    }
    const text = await raw.text();
    let parsed: unknown = text;
    if (text.length > 0 && (raw.headers.get("content-type") ?? "").includes("json")) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return this.check({ status: raw.status, headers: raw.headers, body: parsed }, request);
  }

  /** The port's `reserveTurn`: a slot of the fleet's budget, reserved ahead (lib/providers/rate-budget.ts). */
  async reserveTurn(): Promise<{ turn: Turn; retryAfterMs: number } | undefined> {
    if (!this.#budget) return undefined;
    return this.#budget.reserve(this.#limiterOf().scope);
  }

  /** Resolved on first use: `providerName` is a subclass field, unset during construction. */
  #limiterOf(): { scope: RateScope; take(): Promise<void> } {
    if (this.#limiter === undefined) {
      const { clock, ...overrides } = this.#rateLimit ?? {};
      const scope: RateScope = {
        vendor: this.providerName,
        account: this.#account,
        host: new URL(this.#baseUrl).host,
        settings: rateLimitSettings(this.providerName, overrides),
      };
      const budget = this.#budget;
      if (budget) {
        this.#limiter = { scope, take: () => budget.take(scope) };
      } else {
        const bucket = bucketFor({ ...scope, settings: overrides, clock });
        this.#limiter = { scope, take: () => bucket.take() };
      }
    }
    return this.#limiter;
  }

  /** Vendor free text (a job's failure reason), scrubbed and bounded, fit for a message. */
  protected vendorText(text: string, max = 300): string {
    return scrubSecrets(text, this.secretValues()).slice(0, max);
  }

  /** A classified error for a response the subclass could not accept. */
  protected fail(
    response: VendorResponse,
    cls: ProviderErrorClass,
    init: { code?: string | number; message?: string } = {},
  ): ProviderError {
    const detail = init.message ? `: ${this.vendorText(init.message)}` : "";
    const code = typeof init.code === "string" ? this.vendorText(init.code, 80) : init.code;
    return new ProviderError({
      cls,
      provider: this.providerName,
      httpStatus: response.status,
      providerCode: code,
      retryAfterMs: retryAfterMs(response.headers),
      message: `${this.providerName} answered HTTP ${response.status}${code !== undefined ? ` code ${code}` : ""}${detail}`,
    });
  }
}

/**
 * A listing that goes on past its bound fails rather than report a partial list: the
 * reconciler would take what a cut listing left out for gone (a vendor that ignores its
 * paging parameters would otherwise never end).
 */
export function listingTooLong(provider: string, listing: string, bound: string): ProviderError {
  return new ProviderError({
    cls: "UNKNOWN",
    provider,
    message: `the ${listing} goes on past ${bound}`,
  });
}

/** What a vendor id may look like before it goes into a URL path (ids, names, UUIDs). */
const VENDOR_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,254}$/;

/**
 * A vendor id as one URL path segment, refused unless it looks like an id: a `..` (or an
 * empty id, or a slash) from a hostile or broken vendor answer would turn a backup delete
 * into a delete of its parent resource (`DELETE …/instances/{id}/`).
 *
 * @throws ProviderError (INVALID) naming what the id was for — never a request sent
 */
export function pathSegment(provider: string, what: string, id: string): string {
  if (!VENDOR_ID.test(id) || /^\.+$/.test(id))
    throw new ProviderError({
      cls: "INVALID",
      provider,
      message: `${provider} ${what} ${JSON.stringify(id.slice(0, 80))} is not a valid id; nothing was sent`,
    });
  return encodeURIComponent(id);
}

/**
 * Validates a vendor payload against its schema; an unexpected shape is a classified
 * UNKNOWN error naming the operation, never a crash deep in our code.
 */
export function parseVendor<T>(
  provider: string,
  what: string,
  schema: {
    safeParse(
      value: unknown,
    ):
      | { success: true; data: T }
      | { success: false; error: { issues: { path: PropertyKey[] }[] } };
  },
  value: unknown,
): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const fields = result.error.issues
    .map((i) => i.path.map(String).join(".") || "(root)")
    .join(", ");
  throw new ProviderError({
    cls: "UNKNOWN",
    provider,
    message: `${provider} returned an unexpected ${what} (fields: ${fields})`,
  });
}
