import { createHash } from "node:crypto";
import type { Clock } from "../../core/clock.ts";
import { systemClock } from "../../core/clock.ts";
import { ProviderError } from "../../core/provider-error.ts";
import { retryAfterMs } from "../http.ts";
import type { HuaweiPasswordCredentials } from "./credentials.ts";
import { classifyHuaweiError, readHuaweiError } from "./errors.ts";

/** Refresh this long before `expires_at`: tokens can also be revoked early (≤ 30 min). */
export const TOKEN_REFRESH_MARGIN_MS = 60 * 60 * 1000;

/** One project-scoped token request. */
export interface TokenRequest {
  credentials: HuaweiPasswordCredentials;
  /** The IAM endpoint, e.g. `https://iam.ap-southeast-1.myhuaweicloud.com`. */
  iamUrl: string;
  /** The project the token is scoped to (the `{project_id}` of the service paths). */
  projectId: string;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

/**
 * Project-scoped IAM tokens (docs/providers.md §5.2), cached per (domain, user, project) and
 * refreshed an hour before they expire. Concurrent callers share one IAM request. A
 * Lambda container keeps the cache warm between invocations ({@link sharedTokenCache}).
 *
 * Errors never carry the password: messages are built from the IAM code and our ids.
 */
export class IamTokenCache {
  readonly #fetch: typeof fetch;
  readonly #clock: Clock;
  readonly #tokens = new Map<string, CachedToken>();
  readonly #pending = new Map<string, Promise<string>>();

  constructor(options: { fetch?: typeof fetch; clock?: Clock } = {}) {
    this.#fetch = options.fetch ?? ((...args) => globalThis.fetch(...args));
    this.#clock = options.clock ?? systemClock;
  }

  /** A valid token, from the cache or freshly issued. */
  async get(request: TokenRequest): Promise<string> {
    const key = keyOf(request);
    const cached = this.#tokens.get(key);
    if (cached && this.#clock.now().getTime() < cached.expiresAt - TOKEN_REFRESH_MARGIN_MS) {
      return cached.token;
    }
    const pending = this.#pending.get(key);
    if (pending) return pending;
    const issued = this.#issue(request)
      .then((token) => {
        this.#tokens.set(key, token);
        return token.token;
      })
      .finally(() => this.#pending.delete(key));
    this.#pending.set(key, issued);
    return issued;
  }

  /** Forgets a token the service rejected, so the next call asks IAM again. */
  invalidate(request: TokenRequest): void {
    this.#tokens.delete(keyOf(request));
  }

  async #issue({ credentials, iamUrl, projectId }: TokenRequest): Promise<CachedToken> {
    const body = {
      auth: {
        identity: {
          methods: ["password"],
          password: {
            user: {
              name: credentials.userName,
              password: credentials.password,
              domain: { name: credentials.domainName },
            },
          },
        },
        // Scoped by id (documented alongside scoping by name): it is what the service
        // paths carry, so a token for another project cannot be issued by mistake.
        scope: { project: { id: projectId } },
      },
    };
    let response: Response;
    try {
      response = await this.#fetch(`${iamUrl.replace(/\/+$/, "")}/v3/auth/tokens?nocatalog=true`, {
        method: "POST",
        headers: { "content-type": "application/json;charset=utf8", accept: "application/json" },
        body: JSON.stringify(body),
        // The body holds the password: it goes to the IAM host it was meant for, or nowhere.
        redirect: "manual",
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      throw tokenError("TRANSIENT", `IAM could not be reached (${(error as Error).name})`);
    }
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      throw tokenError(
        "INVALID",
        `IAM answered with a redirect (HTTP ${response.status}); the credentials are never sent on`,
      );
    }
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: leave it as text, only the status matters then
    }
    if (response.status >= 400) {
      const { code } = readHuaweiError(parsed);
      const cls = classifyHuaweiError("iam", response.status, code);
      throw tokenError(
        cls,
        `IAM refused a token for user ${credentials.userName} of account ${credentials.domainName}: HTTP ${response.status}${code ? ` code ${code}` : ""}`,
        { httpStatus: response.status, code, retryAfterMs: retryAfterMs(response.headers) },
      );
    }
    const token = response.headers.get("x-subject-token");
    const expiresAt = Date.parse(
      (parsed as { token?: { expires_at?: string } } | undefined)?.token?.expires_at ?? "",
    );
    if (!token || Number.isNaN(expiresAt)) {
      throw tokenError("UNKNOWN", "IAM answered without X-Subject-Token or token.expires_at");
    }
    return { token, expiresAt };
  }
}

/** The process-wide cache adapters use unless given another one. */
export const sharedTokenCache = new IamTokenCache();

/**
 * A token is cached for exactly what issued it: the IAM endpoint, the account, the user,
 * the project — and the password (hashed, never kept), so a caller naming the same user
 * with a wrong password, or a lookalike endpoint, is never handed a token someone else's
 * credentials earned.
 */
function keyOf({ credentials, iamUrl, projectId }: TokenRequest): string {
  const password = createHash("sha256").update(credentials.password).digest("base64url");
  return JSON.stringify([
    iamUrl.replace(/\/+$/, ""),
    credentials.domainName,
    credentials.userName,
    projectId,
    password,
  ]);
}

function tokenError(
  cls: ProviderError["cls"],
  message: string,
  extra: { httpStatus?: number; code?: string; retryAfterMs?: number } = {},
): ProviderError {
  return new ProviderError({
    cls,
    provider: "huawei-iam",
    message,
    httpStatus: extra.httpStatus,
    providerCode: extra.code,
    retryAfterMs: extra.retryAfterMs,
  });
}
