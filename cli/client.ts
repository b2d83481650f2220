import * as z from "zod";
import { type Connection, NO_TOKEN_HINT } from "./connection.ts";
import { CliError, EXIT, usageError } from "./errors.ts";
import type { Signer } from "./sigv4.ts";
import { sigv4Signer } from "./sigv4.ts";

/** An answer of the API that was a success (2xx). */
export interface ApiResponse {
  status: number;
  headers: Headers;
  /** The parsed JSON body (undefined for 204). Validate before use. */
  body: unknown;
}

/** Options of one call. */
export interface CallOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  /** False only for health. */
  auth?: boolean;
}

/** RFC 9457 problem+json as the API writes it; API Gateway's own errors are `{message}`. */
const Problem = z.looseObject({
  title: z.string().optional(),
  detail: z.string().optional(),
  message: z.string().optional(),
  code: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

const TIMEOUT_MS = 30_000;

/**
 * The HTTP client of the CLI: authenticates (token or SigV4), sends JSON, and turns
 * every failure into a {@link CliError} with the right exit code and a readable message.
 */
export class ApiClient {
  readonly connection: Connection;
  readonly #fetch: typeof fetch;
  #signer: Promise<Signer> | undefined;

  constructor(connection: Connection, fetchImpl: typeof fetch) {
    this.connection = connection;
    this.#fetch = fetchImpl;
  }

  /** Sends one request; resolves only on 2xx. */
  async call(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse> {
    const url = new URL(`${this.connection.apiUrl}${path}`);
    for (const [key, value] of Object.entries(options.query ?? {}))
      if (value !== undefined) url.searchParams.set(key, String(value));
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    let headers: Record<string, string> = {
      accept: "application/json",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...options.headers,
    };
    if (options.auth !== false) headers = await this.#authenticate(method, url, headers, body);
    let response: Response;
    try {
      response = await this.#fetch(url, {
        method,
        headers,
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw unreachable(this.connection.apiUrl, error);
    }
    const text = await response.text();
    const parsed = parseJson(text);
    if (response.ok) return { status: response.status, headers: response.headers, body: parsed };
    throw refusal(method, path, response.status, parsed, text);
  }

  async #authenticate(
    method: string,
    url: URL,
    headers: Record<string, string>,
    body: string | undefined,
  ): Promise<Record<string, string>> {
    const { auth } = this.connection;
    if (auth.kind === "token") {
      if (!auth.token) throw usageError("no API token found", NO_TOKEN_HINT);
      return { ...headers, authorization: `Bearer ${auth.token}` };
    }
    this.#signer ??= sigv4Signer(auth.region);
    return (await this.#signer)({ method, url, headers, body });
  }
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function unreachable(apiUrl: string, error: unknown): CliError {
  const cause = error instanceof Error ? error.cause : undefined;
  const code = cause instanceof Error && "code" in cause ? String(cause.code) : undefined;
  const timedOut = error instanceof Error && error.name === "TimeoutError";
  const why = timedOut
    ? `no answer in ${TIMEOUT_MS / 1000} s`
    : (code ?? (cause instanceof Error ? cause.message : String(error)));
  const local = /^http:\/\/(127\.|localhost|\[::1\])/.test(apiUrl);
  return new CliError(EXIT.unavailable, `cannot reach the API at ${apiUrl} (${why})`, {
    lines: local ? ["is `npm start` running? (--api or WARDEN_API point elsewhere)"] : [],
  });
}

/** A non-2xx answer as a CliError: 4xx → exit 3 with the problem's detail, 5xx → exit 4. */
function refusal(
  method: string,
  path: string,
  status: number,
  body: unknown,
  text: string,
): CliError {
  const problem = Problem.safeParse(body);
  const doc = problem.success ? problem.data : {};
  const detail = doc.detail ?? doc.message ?? (text.slice(0, 200) || `HTTP ${status}`);
  const lines = (doc.errors ?? []).map((e) => `${e.path}: ${e.message}`);
  const options = { lines, problem: body, httpStatus: status };
  if (status >= 500)
    return new CliError(EXIT.unavailable, `the API failed (${status}): ${detail}`, options);
  // Our router answers an unknown route with a 404 and code ROUTE_NOT_FOUND (API Gateway: a 404 without code),
  // and a known path with another method with a 405: the server predates this command.
  if (
    status === 405 ||
    (status === 404 && (doc.code === "ROUTE_NOT_FOUND" || doc.code === undefined))
  ) {
    return new CliError(
      EXIT.refused,
      `this API has no ${method} ${path.split("?")[0]} (HTTP ${status}); the server may be an older version`,
      options,
    );
  }
  if (status === 401)
    lines.push("the API did not accept the credentials; check --token / WARDEN_TOKEN");
  return new CliError(
    EXIT.refused,
    `${detail} (HTTP ${status}${doc.code ? ` ${doc.code}` : ""})`,
    options,
  );
}
