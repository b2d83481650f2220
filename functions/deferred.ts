/** A value computed on first read and then kept (a rejected promise is kept too). */
export function once<T>(make: () => T): () => T {
  let made = false;
  let value: T;
  return () => {
    if (!made) {
      value = make();
      made = true;
    }
    return value;
  };
}

/** A Lambda handler as the runtime calls it. */
type Handler = (event: unknown, context: unknown) => Promise<unknown>;

/** A handler whose module is imported on first use. */
export interface DeferredHandler extends Handler {
  /** Imports the module now (the shells do it during init under provisioned concurrency). */
  preload(): Promise<void>;
}

/**
 * The Lambda entry of a function (functions/lambda/<name>.ts): a shell whose import loads
 * nothing but this file, while the handler itself (functions/handlers/<name>.ts: middy,
 * zod, the use case, its adapters) is imported, in its own chunk, when the first event
 * arrives. A cold start's init then costs what an empty handler costs; the first
 * invocation pays for the code that invocation needs (`npm run bench` measures both).
 *
 * Under provisioned concurrency the environment is initialized ahead of any request, so
 * there the shells load the handler during init instead (`preloadIfProvisioned`).
 *
 * @example export const handler = deferred(() => import("../handlers/poll-backup.ts"));
 */
export function deferred(load: () => Promise<{ handler: unknown }>): DeferredHandler {
  const get = once(() => load().then((module) => module.handler as Handler));
  const handler = (async (event: unknown, context: unknown) =>
    (await get())(event, context)) as DeferredHandler;
  handler.preload = async () => {
    await get();
  };
  return handler;
}

/**
 * Loads the handler during init when Lambda initializes ahead of requests (provisioned
 * concurrency: `AWS_LAMBDA_INITIALIZATION_TYPE`), where init time is free of latency.
 */
export async function preloadIfProvisioned(handler: DeferredHandler): Promise<void> {
  if (process.env.AWS_LAMBDA_INITIALIZATION_TYPE === "provisioned-concurrency")
    await handler.preload();
}
