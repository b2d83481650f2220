import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { usageError } from "./errors.ts";

/** A request as it is about to be sent. */
export interface OutgoingRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

/** Returns the request's headers plus the SigV4 ones (`authorization`, `x-amz-date`, …). */
export type Signer = (request: OutgoingRequest) => Promise<Record<string, string>>;

/**
 * A SigV4 signer for API Gateway (`execute-api`) using the standard AWS credential chain
 * (environment, SSO, profiles, process, container and instance roles). The AWS modules
 * are loaded only here, so local use starts fast.
 */
export async function sigv4Signer(region: string): Promise<Signer> {
  const [{ SignatureV4 }, { fromNodeProviderChain }] = await Promise.all([
    import("@smithy/signature-v4"),
    import("@aws-sdk/credential-providers"),
  ]);
  const signer = new SignatureV4({
    service: "execute-api",
    region,
    credentials: fromNodeProviderChain(),
    sha256: NodeSha256,
  });
  return async ({ method, url, headers, body }) => {
    try {
      const signed = await signer.sign({
        method,
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: { ...headers, host: url.host },
        body,
      });
      return signed.headers;
    } catch (error) {
      // The chain's message names the providers it tried; never any credential.
      const reason = error instanceof Error ? error.message : String(error);
      throw usageError(`no usable AWS credentials to sign the request: ${reason}`, [
        "set AWS_PROFILE (and run `aws sso login`), or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
      ]);
    }
  };
}

/** SHA-256 (or HMAC-SHA-256 with a secret) on node:crypto, in the shape the signer expects. */
class NodeSha256 {
  readonly #hash: Hash | Hmac;

  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
  }

  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#hash.update(bytes(data));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}
