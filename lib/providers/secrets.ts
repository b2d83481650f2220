import type * as z from "zod";
import { ConfigurationError } from "../core/errors.ts";

/**
 * Where credentials come from: Secrets Manager on AWS, environment variables or a
 * git-ignored file locally. Implementations return the parsed JSON of a secret.
 */
export interface SecretSource {
  get(ref: string): Promise<unknown>;
}

/**
 * Reads a secret and checks its shape. A wrong shape is an error that names the missing
 * or invalid fields — never their values.
 */
export async function readSecret<T>(
  source: SecretSource,
  ref: string,
  schema: z.ZodType<T>,
): Promise<T> {
  const value = await source.get(ref);
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const fields = result.error.issues.map((i) => i.path.map(String).join(".") || "(whole secret)");
  throw new ConfigurationError(
    `secret ${ref} is missing or has invalid fields: ${[...new Set(fields)].join(", ")}`,
  );
}

/** A source backed by a plain map (local runtime, sandbox credentials, tests). */
export class StaticSecretSource implements SecretSource {
  readonly #values: Map<string, unknown>;

  constructor(values: Record<string, unknown> = {}) {
    this.#values = new Map(Object.entries(values));
  }

  set(ref: string, value: unknown): void {
    this.#values.set(ref, value);
  }

  async get(ref: string): Promise<unknown> {
    if (!this.#values.has(ref)) throw new ConfigurationError(`secret ${ref} is not configured`);
    return this.#values.get(ref);
  }
}

/** Tries sources in order; the first that has the secret wins. */
export class ChainedSecretSource implements SecretSource {
  readonly #sources: SecretSource[];

  constructor(sources: SecretSource[]) {
    this.#sources = sources;
  }

  async get(ref: string): Promise<unknown> {
    let last: unknown;
    for (const source of this.#sources) {
      try {
        return await source.get(ref);
      } catch (error) {
        last = error;
      }
    }
    throw last ?? new ConfigurationError(`secret ${ref} is not configured`);
  }
}
