import { afterAll, beforeAll } from "vitest";

/**
 * Starts something once for the enclosing `describe` (or file) and closes it afterwards,
 * and hands back a stand-in that the suite's tests and helpers use as the thing itself:
 * every property read goes to what `beforeAll` started. Suites so keep reading
 * `h.call(…)` instead of repeating `let h; beforeAll(…); afterAll(…)`, and a read before
 * `beforeAll` (at collection time) fails loudly instead of on `undefined`.
 *
 * `setup` runs after the start; what it does is closed with the rest even when it fails.
 */
export function suiteFixture<T extends { close(): Promise<void> }>(
  start: () => Promise<T>,
  setup?: (started: T) => Promise<void>,
): T {
  let started: T | undefined;
  beforeAll(async () => {
    started = await start();
    await setup?.(started);
  });
  afterAll(async () => {
    await started?.close();
  });
  return new Proxy({} as T, {
    get(_, key) {
      if (!started) throw new Error(`read .${String(key)} before beforeAll started the fixture`);
      return Reflect.get(started, key);
    },
  });
}
