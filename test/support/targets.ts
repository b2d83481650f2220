import { type ProviderName, Target } from "../../lib/core/target.ts";

/**
 * A target as the table holds it (parsed, stamped at `at`, version 0), for code that is
 * handed one. Zilliz with the `zilliz-main` secret and its id for a name unless told.
 */
export function storedTarget(
  fields: {
    id: string;
    name?: string;
    provider?: ProviderName;
    secretRef?: string;
    resource: Record<string, unknown>;
  },
  at = "2026-11-01T00:00:00.000Z",
): Target {
  return Target.parse({
    name: fields.id,
    provider: "zilliz",
    secretRef: "zilliz-main",
    ...fields,
    createdAt: at,
    updatedAt: at,
    version: 0,
  });
}
