import { existsSync, readFileSync } from "node:fs";
import { ConfigurationError } from "../lib/core/errors.ts";
import type { SecretSource } from "../lib/providers/secrets.ts";

/**
 * Secrets from environment variables: secret `warden/zilliz-prod` is read from
 * `WARDEN_SECRET_WARDEN_ZILLIZ_PROD` (upper case, other characters as `_`), as JSON.
 */
export class EnvSecretSource implements SecretSource {
  readonly #env: Record<string, string | undefined>;

  constructor(env: Record<string, string | undefined>) {
    this.#env = env;
  }

  /** The variable name for a secret reference. */
  static variableFor(ref: string): string {
    return `WARDEN_SECRET_${ref.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
  }

  async get(ref: string): Promise<unknown> {
    const name = EnvSecretSource.variableFor(ref);
    const raw = this.#env[name];
    if (raw === undefined)
      throw new ConfigurationError(`secret ${ref} is not configured (set ${name})`);
    try {
      return JSON.parse(raw);
    } catch {
      throw new ConfigurationError(`secret ${ref} in ${name} is not JSON`);
    }
  }
}

/**
 * Secrets from a git-ignored JSON file mapping references to values, e.g.
 * `{"warden/zilliz-prod": {"apiKey": "…"}}`. Read on every lookup so edits apply at once.
 */
export class FileSecretSource implements SecretSource {
  readonly #path: string;

  constructor(path: string) {
    this.#path = path;
  }

  async get(ref: string): Promise<unknown> {
    if (!existsSync(this.#path)) throw new ConfigurationError(`secret ${ref} is not configured`);
    let all: unknown;
    try {
      all = JSON.parse(readFileSync(this.#path, "utf8"));
    } catch {
      throw new ConfigurationError(`the secrets file ${this.#path} is not valid JSON`);
    }
    if (typeof all !== "object" || all === null || !(ref in all)) {
      throw new ConfigurationError(`secret ${ref} is not configured`);
    }
    return (all as Record<string, unknown>)[ref];
  }
}
