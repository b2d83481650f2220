import { createHash } from "node:crypto";
import { ConflictError, IdempotencyMismatchError } from "../core/errors.ts";
import type { IdempotencyRepository } from "../store/idempotency.ts";

/** A reservation whose result still does not exist after this long belongs to a dead request. */
export const STALE_RESERVATION_MS = 2 * 60 * 1000;

/**
 * Runs a creating request at most once per Idempotency-Key.
 * 1. The key is reserved (conditional put) for the id the request will create.
 * 2. A repeat with the same body gets the first result back (`created: false`); with a
 *    different body, 422.
 * 3. If creating fails, the reservation is dropped, so the caller may retry the key.
 * Without a key, `create` simply runs.
 *
 * @example
 * await idempotently(repo, { scope: "create-target", key, body, resultId: id },
 *   () => targets.create(input), (id) => targets.find(id));
 */
export async function idempotently<T>(
  repo: IdempotencyRepository,
  request: { scope: string; key: string | undefined; body: unknown; resultId: string; now: Date },
  create: () => Promise<T>,
  load: (resultId: string) => Promise<T | undefined>,
): Promise<{ result: T; created: boolean }> {
  const { scope, key, resultId } = request;
  if (!key) return { result: await create(), created: true };
  const hash = createHash("sha256")
    .update(JSON.stringify(request.body ?? null))
    .digest("hex");
  const earlier = await repo.reserve(scope, key, hash, resultId);
  if (earlier) {
    if (earlier.requestHash !== hash) throw new IdempotencyMismatchError();
    const result = await load(earlier.resultId);
    if (result !== undefined) return { result, created: false };
    // The first request never created its result. Still in flight, or dead? After a
    // while it is dead (a request takes seconds): take the key over instead of blocking it.
    const age = request.now.getTime() - Date.parse(earlier.createdAt);
    if (
      age < STALE_RESERVATION_MS ||
      !(await repo.takeOver(scope, key, earlier.resultId, hash, resultId))
    ) {
      throw new ConflictError(
        "a request with this Idempotency-Key is still being processed; retry shortly",
      );
    }
  }
  try {
    return { result: await create(), created: true };
  } catch (error) {
    await repo.release(scope, key, resultId);
    throw error;
  }
}
