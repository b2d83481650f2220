import { type Clock, systemClock } from "../../core/clock.ts";
import {
  HttpProvider,
  type HttpProviderOptions,
  pathSegment,
  type VendorRequest,
  type VendorResponse,
} from "../http.ts";
import { type HuaweiCredentials, isAkSk } from "./credentials.ts";
import { type HuaweiService, iamEndpoint } from "./endpoints.ts";
import { classifyHuaweiError, readHuaweiError } from "./errors.ts";
import { type IamTokenCache, sharedTokenCache, type TokenRequest } from "./iam-token.ts";
import { signRequest } from "./signer.ts";

/** Options every Huawei adapter takes. */
export interface HuaweiProviderOptions extends HttpProviderOptions {
  credentials: HuaweiCredentials;
  region: string;
  projectId: string;
  /** Signing time and token expiry; default the wall clock. */
  clock?: Clock;
  /** Token mode only; default the process-wide cache. */
  tokenCache?: IamTokenCache;
  /** Token mode only; default `https://iam.{region}.myhuaweicloud.com` (tests override it). */
  iamUrl?: string;
}

/**
 * What TaurusDB and DCS adapters share: AK/SK signing of every request (or an IAM token),
 * and the `{error_code, error_msg}` envelope turned into classified errors.
 *
 * Signing happens inside `send`, per attempt, because the gateway rejects a stale
 * `X-Sdk-Date`: a workflow retry of the same call must never reuse a signature.
 */
export abstract class HuaweiProvider extends HttpProvider {
  protected abstract readonly service: HuaweiService;
  protected readonly projectId: string;
  protected readonly clock: Clock;
  readonly #credentials: HuaweiCredentials;
  /** The IAM token last sent, scrubbed from vendor text like the credentials. */
  #issuedToken: string | undefined;
  readonly #tokens: IamTokenCache;
  readonly #iamUrl: string;

  constructor(options: HuaweiProviderOptions) {
    super(options);
    this.#credentials = options.credentials;
    this.projectId = options.projectId;
    this.clock = options.clock ?? systemClock;
    this.#tokens = options.tokenCache ?? sharedTokenCache;
    this.#iamUrl = options.iamUrl ?? iamEndpoint(options.region);
  }

  /** `{project_id}` as it appears at the start of every service path. */
  protected get projectPath(): string {
    return pathSegment(this.providerName, "project id", this.projectId);
  }

  protected async authHeaders(request: VendorRequest, url: URL): Promise<Record<string, string>> {
    const credentials = this.#credentials;
    if (!isAkSk(credentials)) {
      this.#issuedToken = await this.#tokens.get(this.#tokenRequest());
      return { "x-auth-token": this.#issuedToken };
    }
    // Signed: content-type (when there is a body), and the headers the SDK adds —
    // X-Project-Id (harmless when the path has the project too; whether the gateway needs
    // it is UNCONFIRMED) and X-Security-Token for temporary credentials. `accept` is not.
    const signed: Record<string, string> = { "x-project-id": this.projectId };
    const contentType = request.headers?.["content-type"];
    if (contentType) signed["content-type"] = contentType;
    if (credentials.securityToken) signed["x-security-token"] = credentials.securityToken;
    // The base class sends exactly JSON.stringify(body): the hash is over those bytes.
    const body = request.body === undefined ? "" : JSON.stringify(request.body);
    return {
      ...signed,
      ...signRequest(
        { method: request.method, url, headers: signed, body },
        credentials,
        this.clock.now(),
      ),
    };
  }

  protected secretValues(): readonly (string | undefined)[] {
    const credentials = this.#credentials;
    return isAkSk(credentials)
      ? [credentials.ak, credentials.sk, credentials.securityToken]
      : [credentials.password, this.#issuedToken];
  }

  protected check(response: VendorResponse, request: VendorRequest): VendorResponse {
    if (response.status < 400) return response;
    const { code, message } = readHuaweiError(response.body);
    const operation = request.method === "DELETE" ? "delete" : "other";
    const cls = classifyHuaweiError(this.service, response.status, code, operation);
    if (cls === "AUTH" && !isAkSk(this.#credentials)) this.#tokens.invalidate(this.#tokenRequest());
    throw this.fail(response, cls, {
      code,
      message,
    });
  }

  #tokenRequest(): TokenRequest {
    const credentials = this.#credentials;
    if (isAkSk(credentials)) throw new Error("token requested in AK/SK mode");
    return { credentials, iamUrl: this.#iamUrl, projectId: this.projectId };
  }
}

/**
 * Huawei list time parameters: `yyyy-mm-ddThh:mm:ssZ` where `Z` is the numeric offset
 * as the responses show it (`2018-08-06T12:41:14+0800`); we always send UTC.
 */
export function huaweiIsoTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "+0000");
}

/** DCS list time parameters: `yyyyMMddHHmmss` in UTC. */
export function compactUtcTime(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, "")
    .replace(/[-:T]/g, "");
}

/** A vendor timestamp in epoch ms, or `undefined` when absent or unreadable. */
export function parseVendorTime(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}
