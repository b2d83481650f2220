import { createInterface } from "node:readline/promises";
import { setTimeout as delay } from "node:timers/promises";

/** Something text is written to: a stream, or a buffer in tests. */
export interface Writer {
  write(text: string): unknown;
  /** True on a terminal: live progress redraws one line instead of printing many. */
  isTTY?: boolean;
}

/**
 * Everything a command touches outside itself. `main` takes it as a parameter so that
 * tests run commands in-process and read what they printed, without patching `process`.
 */
export interface CliIo {
  stdout: Writer;
  stderr: Writer;
  env: Record<string, string | undefined>;
  /** Relative paths (`-f warden.yaml`, `.warden/token`) are read from here. */
  cwd: string;
  fetch: typeof fetch;
  /** Waits between polls; resolves early when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Asks a yes/no question; absent when there is no terminal to ask on. */
  confirm?: (question: string) => Promise<boolean>;
  /**
   * Traps Ctrl-C while a long wait runs, so it can end with a hint instead of a stack;
   * absent in tests. `release` restores the default behaviour.
   */
  trapInterrupt?: () => { signal: AbortSignal; release(): void };
}

/** The real process: its streams, environment, working folder and terminal. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    fetch: globalThis.fetch,
    sleep: (ms, signal) => delay(ms, undefined, { signal }).catch(() => {}),
    confirm: process.stdin.isTTY && process.stderr.isTTY ? askOnTerminal : undefined,
    trapInterrupt: () => {
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once("SIGINT", onSigint);
      return { signal: controller.signal, release: () => process.off("SIGINT", onSigint) };
    },
  };
}

async function askOnTerminal(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
