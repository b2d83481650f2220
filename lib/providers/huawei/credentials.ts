import type { HuaweiAkSkCredentials, HuaweiCredentials } from "../../core/vendors.ts";

export {
  HuaweiAkSkCredentials,
  HuaweiCredentials,
  HuaweiPasswordCredentials,
} from "../../core/vendors.ts";

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
