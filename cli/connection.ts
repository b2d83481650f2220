import { readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { usageError } from "./errors.ts";
import type { CliIo } from "./io.ts";

/** Where the local runtime listens unless told otherwise (`npm start`). */
export const DEFAULT_API = "http://127.0.0.1:8787/v1";

/** How requests prove who sends them. */
export type Auth =
  /** The local runtime's bearer token; undefined when none was found (health needs none). */
  | { kind: "token"; token: string | undefined }
  /** AWS: SigV4 with the caller's credentials, as API Gateway's IAM authorizer expects. */
  | { kind: "sigv4"; region: string };

/** A resolved API endpoint: the `/v1` base URL and how to authenticate. */
export interface Connection {
  /** Always ends in `/v1`, without a trailing slash. */
  apiUrl: string;
  auth: Auth;
}

/** The connection flags every API command accepts. */
export interface ConnectionFlags {
  api?: string | undefined;
  token?: string | undefined;
  region?: string | undefined;
}

const EXECUTE_API_HOST = /^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/;

/**
 * Resolves the API URL (`--api`, `WARDEN_API`, the local default) and its credentials:
 * a loopback URL uses the bearer token (`--token`, `WARDEN_TOKEN`, or the token file
 * `npm start` wrote); any other URL is AWS and is signed with SigV4.
 */
export function resolveConnection(flags: ConnectionFlags, io: CliIo): Connection {
  const raw = flags.api ?? io.env.WARDEN_API ?? DEFAULT_API;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError(`--api: "${raw}" is not a URL (expected e.g. ${DEFAULT_API})`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw usageError(`--api: "${raw}" must be an http(s) URL`);
  const base = `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
  const apiUrl = base.endsWith("/v1") ? base : `${base}/v1`;
  if (isLoopback(url.hostname))
    return { apiUrl, auth: { kind: "token", token: localToken(flags, io) } };
  const region =
    flags.region ??
    EXECUTE_API_HOST.exec(url.hostname)?.[1] ??
    io.env.AWS_REGION ??
    io.env.AWS_DEFAULT_REGION;
  if (!region) {
    throw usageError(`cannot tell the AWS region of ${url.hostname}`, [
      "pass --region or set AWS_REGION (an execute-api URL carries it by itself)",
    ]);
  }
  return { apiUrl, auth: { kind: "sigv4", region } };
}

/** Whether a host is this machine: only there is the bearer token meaningful. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The local runtime's bearer token (also what its simulators' `/__sandbox/*` routes take):
 * `--token`, `WARDEN_TOKEN`, or the token file `npm start` wrote; undefined when none.
 */
export function localToken(flags: { token?: string | undefined }, io: CliIo): string | undefined {
  const given = flags.token ?? io.env.WARDEN_TOKEN;
  if (given) return given;
  const dataDir = io.env.WARDEN_DATA_DIR ?? ".warden";
  const file = join(isAbsolute(dataDir) ? dataDir : join(io.cwd, dataDir), "token");
  try {
    return readFileSync(file, "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Why no token was found, and where one is looked for (never the token itself). */
export const NO_TOKEN_HINT = [
  "pass --token, set WARDEN_TOKEN, or run where `npm start` wrote .warden/token",
  "(WARDEN_DATA_DIR moves that folder)",
];
