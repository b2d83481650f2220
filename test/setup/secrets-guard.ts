// Runs before every test file: captures everything the code under test logs or prints
// and, after the file's tests, asserts that no credential a simulator issued appears in
// it. API responses are checked the same way by the test clients (see assertNoSecrets).
import { afterAll, expect } from "vitest";
import { issuedSecrets } from "../../sandbox/issued-secrets.ts";

const captured: string[] = [];

function capture(target: { write: (...args: never[]) => boolean }) {
  const original = target.write.bind(target) as (...args: unknown[]) => boolean;
  (target as { write: (...args: unknown[]) => boolean }).write = (
    chunk: unknown,
    ...rest: unknown[]
  ) => {
    captured.push(
      typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"),
    );
    return original(chunk, ...rest);
  };
}
capture(process.stdout as never);
capture(process.stderr as never);
for (const method of ["log", "info", "warn", "error", "debug"] as const) {
  const original = console[method].bind(console);
  console[method] = (...args: unknown[]) => {
    captured.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
    original(...args);
  };
}

/** Fails when any issued credential appears in `text`. */
export function assertNoSecrets(text: string, where: string): void {
  for (const secret of issuedSecrets) {
    if (text.includes(secret)) expect.fail(`a credential appeared in ${where}`);
  }
}

afterAll(() => {
  assertNoSecrets(captured.join("\n"), "the logs of this test file");
});
