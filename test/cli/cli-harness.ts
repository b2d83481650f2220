import { mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CliIo } from "../../cli/io.ts";
import { main } from "../../cli/main.ts";
import type { LocalStack } from "../support/local-stack.ts";
import { sandboxAdmin } from "../support/sandbox-admin.ts";
import { useLocalStack } from "../support/use-local-stack.ts";

/** What one `warden …` run printed and returned. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of an in-process run. */
export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Answers the apply confirmation as if typed on a terminal; absent = no terminal. */
  confirm?: (question: string) => Promise<boolean>;
  /** Pretend stderr is a terminal (live progress line). */
  tty?: boolean;
  fetch?: typeof fetch;
  /** Stands for Ctrl-C: aborting it interrupts a wait. */
  interrupt?: AbortController;
}

/** Where runs without a `cwd` happen: an empty folder, so no stray .warden/token is found. */
const EMPTY_FOLDER = mkdtempSync(join(tmpdir(), "warden-cli-"));

/**
 * Runs `main(argv)` in-process with captured stdout/stderr (neither is a terminal, so
 * progress comes as plain lines) and a fast sleep.
 */
export async function warden(argv: string[], options: RunOptions = {}): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text), isTTY: options.tty === true },
    env: options.env ?? {},
    cwd: options.cwd ?? EMPTY_FOLDER,
    fetch: options.fetch ?? globalThis.fetch,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 100))),
    ...(options.confirm ? { confirm: options.confirm } : {}),
    ...(options.interrupt
      ? { trapInterrupt: () => ({ signal: options.interrupt!.signal, release: () => {} }) }
      : {}),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** The environment that points the CLI at a running local stack. */
export function envOf(runtime: { url: string; token: string }): Record<string, string> {
  return { WARDEN_API: `${runtime.url}/v1`, WARDEN_TOKEN: runtime.token };
}

/**
 * A local stack for one suite, and the environment that points the CLI at it. `env` is
 * filled in when the stack has started, so tests pass it as is: `warden(argv, { env })`.
 */
export function useCliStack(): { stack: LocalStack; env: Record<string, string> } {
  const env: Record<string, string> = {};
  const stack = useLocalStack({}, async (started) => {
    Object.assign(env, envOf(started.runtime));
  });
  return { stack, env };
}

/** A loopback URL on which nothing listens (a port just released). */
export async function deadApiUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/v1`;
}

/** Makes the Zilliz simulator fail the next backup job with a vendor reason. */
export async function failNextZillizJob(
  runtime: { sandbox: Record<string, Record<string, unknown>>; token: string },
  reason: string,
): Promise<void> {
  // The simulators' admin routes take the local runtime's own token.
  const zilliz = { url: String(runtime.sandbox.zilliz?.url), adminToken: runtime.token };
  const response = await sandboxAdmin(zilliz, "POST", "/__sandbox/faults", {
    kind: "fail-next-job",
    reason,
  });
  if (response.status !== 201) throw new Error(`fault not queued: ${response.status}`);
}
