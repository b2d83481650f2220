import type * as z from "zod";
import {
  type FieldIssue,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
  WardenError,
} from "../core/errors.ts";

/** A framework-free HTTP request, built from an API Gateway event or a node request. */
export interface HttpRequest {
  method: string;
  path: string;
  query: Record<string, string | undefined>;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  /** Raw body text, if any. */
  body?: string;
  /** Who is calling: the IAM principal on AWS, "local token" locally (for audit fields). */
  caller?: string;
}

/** A framework-free HTTP response. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

/** Largest request body we accept. */
export const MAX_BODY_BYTES = 256 * 1024;

/** A JSON response. */
export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResponse {
  return {
    status,
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  };
}

/** An RFC 9457 problem document; never carries internals or stack traces. */
export function problem(
  status: number,
  title: string,
  detail: string,
  extra: Record<string, unknown> = {},
): HttpResponse {
  const type = `urn:backup-warden:problem:${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return {
    status,
    headers: { "content-type": "application/problem+json" },
    // Extra members first: they can never overwrite the problem's own fields.
    body: JSON.stringify({ ...extra, type, title, status, detail }),
  };
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  412: "Precondition Failed",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

/**
 * Maps any error to problem+json. Our own errors show their message (written to be
 * safe); anything else is a 500 with a generic detail — the real error is logged by
 * the caller, never sent.
 */
export function problemOf(error: unknown): HttpResponse {
  if (error instanceof ValidationError) {
    return problem(error.status, TITLES[error.status] ?? "Bad Request", error.message, {
      code: error.code,
      errors: error.issues,
    });
  }
  if (error instanceof WardenError && error.status < 500) {
    return problem(error.status, TITLES[error.status] ?? "Error", error.message, {
      code: error.code,
      ...error.details,
    });
  }
  if (error instanceof WardenError && error.status === 502) {
    return problem(502, TITLES[502]!, "a vendor API failed; see the backup record for details", {
      code: error.code,
    });
  }
  return problem(500, TITLES[500]!, "an internal error occurred; it has been logged", {
    code: "INTERNAL",
  });
}

/** zod issues as problem+json field errors. */
export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(body)",
    message: issue.message,
  }));
}

/** Parses a value with a schema or throws a 400 listing every bad field. */
export function parseOr400<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(`invalid ${what}`, fieldIssues(result.error));
  return result.data;
}

/**
 * Reads a JSON body: 413 when too large, 415 when not JSON, 400 when malformed.
 * An absent body reads as `{}` so that all-optional bodies may be omitted.
 */
export function readJsonBody(request: HttpRequest): unknown {
  const raw = request.body;
  if (raw === undefined || raw.length === 0) return {};
  if (Buffer.byteLength(raw, "utf8") > MAX_BODY_BYTES)
    throw new PayloadTooLargeError(MAX_BODY_BYTES);
  const type = request.headers["content-type"];
  if (!type || !/^application\/([a-z.+-]*\+)?json\s*(;|$)/i.test(type))
    throw new UnsupportedMediaTypeError(type);
  try {
    return JSON.parse(raw);
  } catch {
    throw new ValidationError("request body is not valid JSON", [
      { path: "(body)", message: "malformed JSON" },
    ]);
  }
}
