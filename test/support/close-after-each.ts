import { afterEach } from "vitest";

/**
 * For servers and simulators a test starts itself: hand each to the returned function as
 * it starts, and it is closed after that test, passed or failed.
 */
export function closeAfterEach(): <T extends { close(): Promise<unknown> }>(started: T) => T {
  const open: Array<{ close(): Promise<unknown> }> = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((started) => started.close()));
  });
  return (started) => {
    open.push(started);
    return started;
  };
}
