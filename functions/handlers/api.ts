import { withHttp } from "../middleware.ts";
import { api } from "../usecases.ts";

/** The `/v1` HTTP API: one function, routed by `lib/api/routes.ts`. */
export const handler = withHttp("api", api);
