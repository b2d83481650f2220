import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ConfigurationError } from "../core/errors.ts";
import type { SecretSource } from "./secrets.ts";

/** Options of {@link SecretsManagerSource}. */
export interface SecretsManagerSourceOptions {
  /** The Secrets Manager client, built on first use (the SDK is loaded only then). */
  client: () => Promise<Pick<SecretsManagerClient, "send">>;
  /** Name prefix of this kind of secret, e.g. `backup-warden/prod/providers/`. */
  prefix: string;
}

/**
 * Secrets from AWS Secrets Manager under one name prefix, parsed as JSON and cached per
 * container (credentials rarely change; a cold start refreshes them). A secret that is
 * missing or not JSON is a {@link ConfigurationError} naming the reference, never its value.
 *
 * @example new SecretsManagerSource({ client, prefix: "backup-warden/prod/providers/" }).get("zilliz-main")
 */
export class SecretsManagerSource implements SecretSource {
  readonly #options: SecretsManagerSourceOptions;
  readonly #cache = new Map<string, Promise<unknown>>();

  constructor(options: SecretsManagerSourceOptions) {
    this.#options = options;
  }

  get(ref: string): Promise<unknown> {
    let value = this.#cache.get(ref);
    if (!value) {
      value = this.#read(ref);
      value.catch(() => this.#cache.delete(ref));
      this.#cache.set(ref, value);
    }
    return value;
  }

  async #read(ref: string): Promise<unknown> {
    const [client, { GetSecretValueCommand, ResourceNotFoundException }] = await Promise.all([
      this.#options.client(),
      import("@aws-sdk/client-secrets-manager"),
    ]);
    let text: string | undefined;
    try {
      const out = await client.send(
        new GetSecretValueCommand({ SecretId: this.#options.prefix + ref }),
      );
      text = out.SecretString;
    } catch (error) {
      if (error instanceof ResourceNotFoundException)
        throw new ConfigurationError(`secret ${ref} is not configured`);
      throw error;
    }
    try {
      return JSON.parse(text ?? "");
    } catch {
      throw new ConfigurationError(`secret ${ref} is not JSON`);
    }
  }
}
