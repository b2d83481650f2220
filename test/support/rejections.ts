import { expect } from "vitest";

/**
 * The error `promise` was rejected with, checked to be an `ErrorClass`; the test fails if
 * it resolved, or failed with anything else.
 */
export async function rejectionOf<E>(
  promise: Promise<unknown>,
  ErrorClass: abstract new (...args: any[]) => E,
): Promise<E> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ErrorClass);
  return error as E;
}
