import pkg from "../package.json" with { type: "json" };
import { FUNCTION_BUNDLE, handlerOf } from "./bundle.ts";

/** What differs between our functions; everything else is the same for all of them. */
export interface WardenFunctionArgs {
  description: string;
  /** Linkables that carry both the permissions and the environment a function needs. */
  link: sst.aws.FunctionArgs["link"];
  environment?: Record<string, $util.Input<string>>;
  permissions?: sst.aws.FunctionArgs["permissions"];
  timeout: NonNullable<sst.aws.FunctionArgs["timeout"]>;
  memory: NonNullable<sst.aws.FunctionArgs["memory"]>;
  /** Retries of asynchronous invocations (schedules, rules); Lambda's default is 2. */
  retries?: number;
  /** Where an asynchronous invocation goes once its retries failed (an SQS queue ARN). */
  onFailure?: $util.Input<string>;
}

/**
 * A Lambda for one entry point in `functions/handlers/<file>.ts`: Node 24 on Graviton,
 * bundled as minified ESM (see {@link FUNCTION_BUNDLE}), logs kept a month. Permissions
 * come only from `link` and `permissions`, never from a shared role.
 */
export function wardenFunction(name: string, file: string, args: WardenFunctionArgs) {
  return new sst.aws.Function(name, {
    handler: handlerOf(file),
    description: args.description,
    runtime: "nodejs24.x",
    architecture: "arm64",
    timeout: args.timeout,
    memory: args.memory,
    nodejs: {
      format: FUNCTION_BUNDLE.format,
      minify: FUNCTION_BUNDLE.minify,
      esbuild: { external: [...FUNCTION_BUNDLE.external], keepNames: FUNCTION_BUNDLE.keepNames },
    },
    logging: { retention: "1 month" },
    link: args.link,
    permissions: args.permissions ?? [],
    environment: { WARDEN_VERSION: pkg.version, ...args.environment },
    ...(args.retries === undefined ? {} : { retries: args.retries }),
    ...(args.onFailure === undefined
      ? {}
      : {
          transform: {
            eventInvokeConfig: (config: aws.lambda.FunctionEventInvokeConfigArgs) => {
              config.destinationConfig = { onFailure: { destination: args.onFailure! } };
            },
          },
        }),
  });
}

/** SQS's longest retention: failures wait two weeks for someone to look. */
const FOURTEEN_DAYS = 14 * 24 * 60 * 60;

/** A queue collecting invocations that failed for good (a dead-letter queue). */
export function failureQueue(name: string) {
  return new sst.aws.Queue(name, {
    transform: { queue: { messageRetentionSeconds: FOURTEEN_DAYS } },
  });
}

/** `acquire-lease` → `AcquireLease`, for logical names. */
export function pascalCase(kebab: string): string {
  return kebab
    .split("-")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
}
