import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * Huawei Cloud AK/SK request signing, `SDK-HMAC-SHA256` (docs/providers.md §5.1), on
 * `node:crypto`: the official SDK core pulls 23 MB of dependencies and keeps its signer
 * out of the public API. Output was checked byte for byte against the SDK's
 * `AKSKSigner` vector in `test/providers/huawei/signer.test.ts`.
 *
 * The same functions back the simulators' verifier, so client and server cannot drift.
 */

/** The algorithm name, first token of the `Authorization` header. */
export const SIGNING_ALGORITHM = "SDK-HMAC-SHA256";

/** Hex SHA-256 of the empty body. */
export const EMPTY_BODY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** The key pair a request is signed with. */
export interface SigningKey {
  ak: string;
  sk: string;
}

/** What is signed: method, URL (path + query), extra headers and the exact body text. */
export interface SigningRequest {
  method: string;
  url: URL;
  /**
   * Headers to sign besides `host` and `x-sdk-date` (e.g. content-type, x-project-id,
   * x-security-token). A `host` entry here overrides the URL's host (the verifier uses
   * the received Host header).
   */
  headers?: Record<string, string>;
  /** The body exactly as sent; empty when there is none. */
  body?: string;
}

/**
 * Percent-encodes like Huawei's signer: the RFC 3986 unreserved set stays as is and,
 * unlike `encodeURIComponent`, `! ' ( ) *` are escaped too.
 */
export function huaweiEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** `X-Sdk-Date` for a time: `YYYYMMDDTHHMMSSZ` in UTC. */
export function sdkDate(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/[-:]/g, "");
}

/** Parses an `X-Sdk-Date` value; `undefined` when it is not one. */
export function parseSdkDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Each path segment decoded then re-encoded, with the `/` Huawei appends for signing. */
export function canonicalUri(pathname: string): string {
  const uri = pathname
    .split("/")
    .map((segment) => huaweiEncode(decode(segment)))
    .join("/");
  return uri.endsWith("/") ? uri : `${uri}/`;
}

/** Parameters sorted by name (values of a repeated name sorted too), both encoded. */
export function canonicalQuery(params: URLSearchParams): string {
  const grouped = new Map<string, string[]>();
  for (const [key, value] of params) grouped.set(key, [...(grouped.get(key) ?? []), value]);
  return [...grouped.keys()]
    .sort()
    .flatMap((key) =>
      (grouped.get(key) ?? []).sort().map((value) => `${huaweiEncode(key)}=${huaweiEncode(value)}`),
    )
    .join("&");
}

/**
 * The canonical request and the sorted signed header names for a request whose
 * `x-sdk-date` is `date` (already formatted).
 */
export function canonicalRequest(
  request: SigningRequest,
  date: string,
): { canonical: string; signedHeaders: string[] } {
  const headers = new Map<string, string>([
    ["host", request.url.host],
    ["x-sdk-date", date],
  ]);
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    headers.set(name.toLowerCase(), value);
  }
  const signedHeaders = [...headers.keys()].sort();
  const canonical = [
    request.method.toUpperCase(),
    canonicalUri(request.url.pathname),
    canonicalQuery(request.url.searchParams),
    signedHeaders.map((name) => `${name}:${(headers.get(name) ?? "").trim()}\n`).join(""),
    signedHeaders.join(";"),
    sha256Hex(request.body ?? ""),
  ].join("\n");
  return { canonical, signedHeaders };
}

/** Hex HMAC-SHA256 with the SK over the string to sign (no key derivation). */
export function signatureOf(sk: string, date: string, canonical: string): string {
  const stringToSign = `${SIGNING_ALGORITHM}\n${date}\n${sha256Hex(canonical)}`;
  return createHmac("sha256", sk).update(stringToSign, "utf8").digest("hex");
}

/**
 * Signs one request. Call it for every attempt: the gateway rejects a stale
 * `X-Sdk-Date`, so a retried request needs a fresh signature.
 *
 * @returns the two headers to add: `X-Sdk-Date` and `Authorization`
 * @example signRequest({ method: "GET", url: new URL(u) }, { ak, sk }, new Date())
 */
export function signRequest(
  request: SigningRequest,
  key: SigningKey,
  now: Date,
): { "x-sdk-date": string; authorization: string } {
  const date = sdkDate(now);
  const { canonical, signedHeaders } = canonicalRequest(request, date);
  const signature = signatureOf(key.sk, date, canonical);
  return {
    "x-sdk-date": date,
    authorization: `${SIGNING_ALGORITHM} Access=${key.ak}, SignedHeaders=${signedHeaders.join(";")}, Signature=${signature}`,
  };
}

/** The parts of an `Authorization: SDK-HMAC-SHA256 …` header, or `undefined`. */
export function parseAuthorization(
  header: string | undefined,
): { access: string; signedHeaders: string[]; signature: string } | undefined {
  const m =
    /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})\s*$/.exec(
      header ?? "",
    );
  if (!m) return undefined;
  return { access: m[1]!, signedHeaders: m[2]!.split(";"), signature: m[3]! };
}

/** Constant-time comparison of two hex signatures. */
export function sameSignature(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}

function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
