/**
 * Runs `fn` every `intervalMs` without overlapping itself (a slow pass delays the next),
 * like a scheduled Lambda with reserved concurrency 1. Errors go to `onError`.
 *
 * @returns a function that stops the ticker and waits for a running pass.
 */
export function every(
  intervalMs: number,
  fn: () => Promise<unknown>,
  onError: (error: unknown) => void,
): () => Promise<void> {
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const loop = () => {
    if (stopped) return;
    running = fn()
      .catch(onError)
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, intervalMs);
      });
  };
  timer = setTimeout(loop, intervalMs);
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await running;
  };
}
