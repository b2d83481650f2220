/**
 * Every credential the simulators of this process accept. Tests use it to assert that no
 * credential ever reaches a log line, an error message or an API response.
 */
export const issuedSecrets = new Set<string>();

/** Records a credential a simulator accepts (short values are too common to search for). */
export function issueSecret(value: string | undefined): void {
  if (value && value.length >= 12) issuedSecrets.add(value);
}
