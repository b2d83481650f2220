import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CliIo } from "../../cli/io.ts";
import { main } from "../../cli/main.ts";

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
}

/**
 * Runs `main(argv)` in-process with captured stdout/stderr (neither is a terminal, so
 * progress comes as plain lines) and a fast sleep.
 */
export async function warden(argv: string[], options: RunOptions = {}): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: options.env ?? {},
    cwd: options.cwd ?? mkdtempSync(join(tmpdir(), "warden-cli-")),
    fetch: globalThis.fetch,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 100))),
    ...(options.confirm ? { confirm: options.confirm } : {}),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** The environment that points the CLI at a running local stack. */
export function envOf(runtime: { url: string; token: string }): Record<string, string> {
  return { WARDEN_API: `${runtime.url}/v1`, WARDEN_TOKEN: runtime.token };
}
