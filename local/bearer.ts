import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Compares a presented secret with the expected one in constant time, without revealing
 * the expected one's length: both are hashed (SHA-256) first, so the comparison always
 * runs over 32 bytes whatever the caller sent — no early return on a length mismatch.
 */
export function sameSecret(presented: string, expected: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

/**
 * Whether an `Authorization` header carries `Bearer <token>` (the scheme is
 * case-insensitive). An absent or malformed header is compared too, as the empty string,
 * so every refusal takes the same path.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const presented = /^Bearer (.+)$/i.exec(header ?? "")?.[1];
  return sameSecret(presented ?? "", token) && presented !== undefined;
}
