import * as z from "zod";

/**
 * AK/SK credentials (recommended by Huawei, providers.md §5.1). `securityToken` is set for
 * temporary credentials and is sent, signed, as `X-Security-Token`.
 */
export const HuaweiAkSkCredentials = z.object({
  authMode: z.literal("aksk").optional(),
  ak: z.string().min(1),
  sk: z.string().min(1),
  securityToken: z.string().min(1).optional(),
});
export type HuaweiAkSkCredentials = z.infer<typeof HuaweiAkSkCredentials>;

/** IAM password credentials, exchanged for a project-scoped token (providers.md §5.2). */
export const HuaweiPasswordCredentials = z.object({
  authMode: z.literal("token"),
  /** The account (domain) name. */
  domainName: z.string().min(1),
  /** An IAM user of that account. */
  userName: z.string().min(1),
  password: z.string().min(1),
});
export type HuaweiPasswordCredentials = z.infer<typeof HuaweiPasswordCredentials>;

/**
 * The secret a Huawei target (TaurusDB or DCS) names: `{ak, sk, securityToken?}` or
 * `{authMode: "token", domainName, userName, password}`. Discriminated on `authMode`
 * (absent means AK/SK) so that a wrong shape is reported as the missing field of the
 * intended mode, never as an opaque "no union member matched" — and never with a value.
 */
export const HuaweiCredentials = z.discriminatedUnion("authMode", [
  HuaweiAkSkCredentials,
  HuaweiPasswordCredentials,
]);
export type HuaweiCredentials = z.infer<typeof HuaweiCredentials>;

/** Narrows credentials to the AK/SK mode. */
export function isAkSk(credentials: HuaweiCredentials): credentials is HuaweiAkSkCredentials {
  return credentials.authMode !== "token";
}

/**
 * Replaces every credential value found in a vendor message with `***`, so that a gateway
 * that echoes what it received can never leak a secret into our errors or logs.
 */
export function scrubCredentials(text: string, credentials: HuaweiCredentials): string {
  const secrets = isAkSk(credentials)
    ? [credentials.ak, credentials.sk, credentials.securityToken]
    : [credentials.password];
  let scrubbed = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) scrubbed = scrubbed.split(secret).join("***");
  }
  return scrubbed;
}
