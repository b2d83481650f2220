import * as z from "zod";
import type { ProviderErrorClass } from "../../core/provider-error.ts";
import { classOfHttpStatus } from "../http.ts";
import type { HuaweiService } from "./endpoints.ts";

/**
 * The error envelope of Huawei services and of their API gateway:
 * `{error_code, error_msg}` (DCS adds `error_ext_msg`, the gateway `request_id`).
 * IAM answers in the Keystone shape `{error: {code, message, title}}`, read too.
 */
export const HuaweiErrorEnvelope = z.union([
  z.object({ error_code: z.string(), error_msg: z.string().nullish() }),
  z.object({
    error: z.object({
      code: z.union([z.string(), z.number()]).optional(),
      message: z.string().optional(),
    }),
  }),
]);

/** The code and message of an error body, whichever envelope it uses. */
export function readHuaweiError(body: unknown): { code?: string; message?: string } {
  const parsed = HuaweiErrorEnvelope.safeParse(body);
  if (!parsed.success) return typeof body === "string" ? { message: body } : {};
  if ("error_code" in parsed.data) {
    return { code: parsed.data.error_code, message: parsed.data.error_msg ?? undefined };
  }
  const { code, message } = parsed.data.error;
  return { code: code === undefined ? undefined : String(code), message };
}

/** Gateway codes shared by every Huawei service (docs/providers.md §5.4). */
const GATEWAY: Record<string, ProviderErrorClass> = {
  "APIGW.0301": "AUTH", // incorrect IAM authentication information (bad signature/token)
  "APIGW.0308": "THROTTLED", // throttling threshold reached
};

/**
 * TaurusDB: the vendor Terraform provider's "retry later" list (docs/providers.md §3.5). Any
 * other 409 `DBS.*` is a conflict too, per the brief: our names are unique per backup,
 * so even a name clash (`DBS.201209`) means an earlier attempt got through.
 */
const TAURUSDB: Record<string, ProviderErrorClass> = {
  ...Object.fromEntries(
    ["DBS.200019", "DBS.201014", "DBS.201015", "DBS.200047", "DBS.05000084", "DBS.212033"].map(
      (code) => [code, "CONFLICT" as const],
    ),
  ),
  // ASSUMPTION (UNCONFIRMED for TaurusDB): instance not found, from the RDS/DBS family.
  "DBS.200002": "NOT_FOUND",
  // Restores (§3.7), UNCONFIRMED for TaurusDB: RDS's "instance name already exists" (409;
  // TaurusDB documents that names may repeat), GaussDB's "Invalid backup ID" (400).
  "DBS.200022": "CONFLICT",
  "DBS.280124": "INVALID",
  "DBS.108000": "TRANSIENT",
  "DBS.108002": "TRANSIENT",
};

const conflict = (codes: string[]) => codes.map((code) => [code, "CONFLICT" as const]);

/** DCS codes (docs/providers.md §4.4, huaweicloudDocs/dcs 错误码 and the vendor Terraform provider). */
const DCS: Record<string, ProviderErrorClass> = {
  ...Object.fromEntries(
    conflict([
      "DCS.4096",
      "DCS.4097",
      "DCS.4026",
      "DCS.4049",
      ...Array.from({ length: 8 }, (_, i) => `DCS.${4111 + i}`),
      "DCS.4120",
      "DCS.4121",
      "DCS.4975",
      "CBC.99003651",
    ]),
  ),
  ...Object.fromEntries(
    ["DCS.1001", "DCS.1002", "DCS.1003", "DCS.1004", "DCS.2003", "DCS.2007", "DCS.3002"].map(
      (code) => [code, "AUTH" as const],
    ),
  ),
  "DCS.3022": "NOT_FOUND", // the instance does not exist
  "DCS.4039": "QUOTA",
  "DCS.4087": "INVALID", // restore from a backup that is not `succeed` (it will not become one)
  "DCS.4095": "INVALID", // backup/restore not supported (e.g. single-node)
  "DCS.4072": "INVALID",
  "DCS.4101": "TRANSIENT", // delete backup failed (server side)
  "DCS.5078": "TRANSIENT", // query backup record failed (server side)
  "DCS.5079": "TRANSIENT", // query restore record failed (server side)
  "DCS.5092": "TRANSIENT", // saving the restore data failed (server side)
};

/** What the request was, where a code means different things per operation. */
export type HuaweiOperation = "delete" | "other";

/**
 * Classifies a Huawei error response. Gateway codes first (they come from in front of
 * every service), then the service's table, then the HTTP status. `iam` (token requests)
 * has no table of its own.
 *
 * `DCS.4031` is NOT_FOUND on a backup DELETE only (the vendor Terraform provider reads it
 * as "already deleted"; its message is UNCONFIRMED); elsewhere it is left to the status.
 */
export function classifyHuaweiError(
  service: HuaweiService | "iam",
  httpStatus: number,
  code: string | undefined,
  operation: HuaweiOperation = "other",
): ProviderErrorClass {
  if (httpStatus === 429) return "THROTTLED";
  if (code !== undefined) {
    const table = service === "dcs" ? DCS : service === "taurusdb" ? TAURUSDB : {};
    const known = GATEWAY[code] ?? table[code];
    if (known) return known;
    if (service === "dcs" && code === "DCS.4031" && operation === "delete") return "NOT_FOUND";
    if (service === "taurusdb" && httpStatus === 409 && code.startsWith("DBS.")) return "CONFLICT";
  }
  return classOfHttpStatus(httpStatus) ?? "UNKNOWN";
}
