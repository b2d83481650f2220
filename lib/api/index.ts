import type { HttpRequest } from "./http.ts";
import { createRouter } from "./router.ts";
import { type ApiDeps, apiRoutes } from "./routes.ts";

export * from "./http.ts";
export * from "./router.ts";
export * from "./routes.ts";

/** The whole `/v1` API as one dispatch function. */
export function createApiDispatcher(
  deps: ApiDeps,
  onError?: (error: unknown, request: HttpRequest) => void,
) {
  return createRouter(apiRoutes(deps), onError);
}
