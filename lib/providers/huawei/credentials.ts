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
