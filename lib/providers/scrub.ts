/**
 * The one scrubber every adapter's vendor text goes through before it becomes an error
 * message — and so an API 422 detail, a record's `lastError`, a log line, a Slack message
 * or a Step Functions cause. A vendor (or a gateway in front of it) that echoes what it
 * received must not turn our credentials into any of those.
 *
 * Two passes: every known secret value is replaced wherever it appears (as sent, URL- or
 * JSON-escaped), and anything shaped like a credential assignment (`api-key: …`,
 * `Authorization: Bearer …`, `password=…`) loses its value even when we did not know it.
 */

const MASK = "***";

/** Shorter values would mask ordinary words; no real credential is this short. */
const MIN_SECRET_LENGTH = 4;

const ASSIGNMENT =
  /\b(bearer\s+|(?:api[-_]?key|x-auth-token|x-security-token|x-subject-token|authorization|password|secret(?:[-_]?key)?|access[-_]?key|sk|ak|token)["']?\s*[:=]\s*["']?(?:bearer\s+)?)[^\s"',;&}]+/gi;

export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let scrubbed = text;
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(JSON.stringify(secret).slice(1, -1));
  }
  // Longest first, so a secret that contains another is masked whole.
  for (const form of [...forms].sort((a, b) => b.length - a.length)) {
    scrubbed = scrubbed.split(form).join(MASK);
  }
  return scrubbed.replace(ASSIGNMENT, (_match, prefix: string) => `${prefix}${MASK}`);
}
