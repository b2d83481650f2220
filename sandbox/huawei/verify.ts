import {
  canonicalRequest,
  parseAuthorization,
  parseSdkDate,
  sameSignature,
  signatureOf,
} from "../../lib/providers/huawei/signer.ts";
import type { SimRequest, SimResponse } from "../http-sim-types.ts";
import { GATEWAY_CODES, huaweiError } from "./envelope.ts";

/** Tolerated clock skew of `X-Sdk-Date`. ASSUMPTION (UNCONFIRMED): commonly quoted as 15 min. */
export const MAX_SKEW_MS = 15 * 60 * 1000;

/** What the simulated API gateway accepts. */
export interface GatewayAuth {
  ak: string;
  sk: string;
  /** An `X-Auth-Token` accepted instead of a signature (token mode), if any. */
  authToken?: string;
  /** Server clock (epoch ms), compared with `X-Sdk-Date`. */
  now: () => number;
}

/**
 * The simulated API gateway's authentication (docs/providers.md §5): recomputes the
 * `SDK-HMAC-SHA256` signature of the received request with the production signer —
 * canonical URI from the path, sorted query, the headers the client listed as signed,
 * SHA-256 of the body — and rejects a mismatch, an unknown AK, a missing signed header or
 * an `X-Sdk-Date` more than {@link MAX_SKEW_MS} away, with 401 `APIGW.0301`.
 *
 * The body hash is taken over the bytes as received (`rawBody`), as the real gateway does,
 * so a client that pretty-prints its JSON is verified like one that sends it compact.
 *
 * @returns `undefined` when the request is authentic, else the rejection
 */
export function verifyGatewayAuth(request: SimRequest, auth: GatewayAuth): SimResponse | undefined {
  const token = header(request, "x-auth-token");
  if (token !== undefined) {
    return auth.authToken !== undefined && token === auth.authToken
      ? undefined
      : reject("the token is invalid or has expired");
  }
  const parsed = parseAuthorization(header(request, "authorization"));
  if (!parsed) return reject("the Authorization header is missing or not SDK-HMAC-SHA256");
  // Never echo the AK or SK back: error messages end up in logs.
  if (parsed.access !== auth.ak) return reject("the access key is unknown");
  const dateText = header(request, "x-sdk-date") ?? "";
  if (!parsed.signedHeaders.includes("host") || !parsed.signedHeaders.includes("x-sdk-date")) {
    return reject("host and x-sdk-date must be signed");
  }
  const date = parseSdkDate(dateText);
  if (!date) return reject("X-Sdk-Date is missing or not YYYYMMDDTHHMMSSZ");
  if (Math.abs(auth.now() - date.getTime()) > MAX_SKEW_MS) {
    return reject("X-Sdk-Date is more than 15 minutes away from the server time");
  }
  const headers: Record<string, string> = {};
  for (const name of parsed.signedHeaders) {
    const value = header(request, name);
    if (value === undefined) return reject(`signed header ${name} is missing`);
    headers[name] = value;
  }
  const url = new URL(`http://sim${request.path}`);
  url.search = request.query.toString();
  const body = request.rawBody;
  const { canonical, signedHeaders } = canonicalRequest(
    { method: request.method, url, headers, body },
    dateText,
  );
  if (signedHeaders.join(";") !== parsed.signedHeaders.join(";")) {
    return reject("SignedHeaders must be lower-case, sorted and unique");
  }
  return sameSignature(signatureOf(auth.sk, dateText, canonical), parsed.signature)
    ? undefined
    : reject("verify aksk signature fail");
}

function reject(reason: string): SimResponse {
  return huaweiError(
    401,
    GATEWAY_CODES.unauthorized,
    `Incorrect IAM authentication information: ${reason}`,
  );
}

function header(request: SimRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}
