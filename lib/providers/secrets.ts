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
 * Reads a secret and checks its shape, and — given `vendor` — that its JSON names that
 * vendor (`"vendor": "pinecone"`), so a target can only use credentials issued for its
 * own vendor. A wrong shape is an error that names the missing or invalid fields — never
 * their values.
 */
export async function readSecret<T>(
  source: SecretSource,
  ref: string,
  schema: z.ZodType<T>,
  vendor?: string,
): Promise<T> {
  const value = await source.get(ref);
  if (vendor !== undefined) checkVendor(ref, value, vendor);
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const fields = result.error.issues.map((i) => i.path.map(String).join(".") || "(whole secret)");
  throw new ConfigurationError(
    `secret ${ref} is missing or has invalid fields: ${[...new Set(fields)].join(", ")}`,
  );
}

function checkVendor(ref: string, value: unknown, vendor: string): void {
  const named =
    typeof value === "object" && value !== null && "vendor" in value ? value.vendor : undefined;
  if (named === vendor) return;
  if (named === undefined)
    throw new ConfigurationError(
      `secret ${ref} does not say which vendor it belongs to: add "vendor": "${vendor}" to its JSON`,
    );
  throw new ConfigurationError(
    `secret ${ref} belongs to ${typeof named === "string" ? named.slice(0, 40) : "another vendor"}, not ${vendor}: a target may only use its own vendor's credentials`,
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
