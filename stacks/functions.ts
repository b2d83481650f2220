import { environmentFor, grantsFor } from "../functions/capabilities.ts";
import { OPERATOR_SETTINGS } from "../functions/config.ts";
import { FUNCTIONS, type FunctionName } from "../functions/manifest.ts";
import pkg from "../package.json" with { type: "json" };
import { FUNCTION_BUNDLE, handlerOf } from "./bundle.ts";
import { deployment } from "./deployment.ts";

/** What differs between our functions; everything else is the same for all of them. */
export interface WardenFunctionArgs {
  description: string;
  /** Variables besides the ones its capabilities need. */
  environment?: Record<string, $util.Input<string>>;
  /**
   * What Lambda itself does with the function's role, never its code: reading its event
   * source, sending failed invocations to a queue. Its code's permissions come only from
   * its declaration in functions/manifest.ts.
   */
  servicePermissions?: Array<{ actions: string[]; resources: $util.Input<string>[] }>;
  /** A fixed physical name, for a function whose ARN others need before it exists. */
  name?: string;
  timeout: NonNullable<sst.aws.FunctionArgs["timeout"]>;
  memory: NonNullable<sst.aws.FunctionArgs["memory"]>;
  /** Retries of asynchronous invocations (schedules, rules); Lambda's default is 2. */
  retries?: number;
  /** Where an asynchronous invocation goes once its retries failed (an SQS queue ARN). */
  onFailure?: $util.Input<string>;
}

/**
 * A Lambda for one entry point in `functions/lambda/<file>.ts`: Node 24 on Graviton,
 * bundled as minified ESM (see {@link FUNCTION_BUNDLE}), logs kept a month. Its IAM
 * statements and its environment are derived from what it declares in
 * functions/manifest.ts (functions/capabilities.ts), never from a shared role or a second
 * list kept here.
 */
export function wardenFunction(name: string, file: FunctionName, args: WardenFunctionArgs) {
  const uses = FUNCTIONS[file].uses;
  return new sst.aws.Function(name, {
    handler: handlerOf(file),
    ...(args.name ? { name: args.name } : {}),
    description: args.description,
    runtime: "nodejs24.x",
    architecture: "arm64",
    timeout: args.timeout,
    memory: args.memory,
    nodejs: {
      format: FUNCTION_BUNDLE.format,
      minify: FUNCTION_BUNDLE.minify,
      splitting: FUNCTION_BUNDLE.splitting,
      esbuild: { external: [...FUNCTION_BUNDLE.external], keepNames: FUNCTION_BUNDLE.keepNames },
    },
    logging: { retention: "1 month" },
    permissions: [...grantsFor(uses, deployment), ...(args.servicePermissions ?? [])],
    environment: {
      WARDEN_VERSION: pkg.version,
      // Powertools Logger's level; `WARDEN_LOG_LEVEL=DEBUG sst deploy` for a noisy stage.
      POWERTOOLS_LOG_LEVEL: process.env.WARDEN_LOG_LEVEL ?? "INFO",
      // Operator settings set at deploy time (`WARDEN_MAX_COMPLETION_WINDOW_HOURS=72 sst
      // deploy`) reach every function, as the local runtime passes its own.
      ...Object.fromEntries(
        OPERATOR_SETTINGS.flatMap((name) =>
          process.env[name] === undefined ? [] : [[name, process.env[name] as string]],
        ),
      ),
      ...environmentFor(uses, deployment),
      ...args.environment,
    },
    ...(args.retries === undefined ? {} : { retries: args.retries }),
    transform: {
      role: (role) => {
        // SST 4.17.1 also lets the account root assume every function role (meant for
        // `sst dev`, applied on deploy too): any principal of the account allowed
        // sts:AssumeRole could then act as, say, validate-target and read vendor
        // credentials. Only Lambda assumes these roles.
        role.assumeRolePolicy = LAMBDA_TRUST;
      },
      ...(args.onFailure === undefined
        ? {}
        : {
            eventInvokeConfig: (config: aws.lambda.FunctionEventInvokeConfigArgs) => {
              config.destinationConfig = { onFailure: { destination: args.onFailure! } };
            },
          }),
    },
  });
}

/** Who may assume a function's role: the Lambda service, nobody else. */
const LAMBDA_TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Service: "lambda.amazonaws.com" },
      Action: "sts:AssumeRole",
    },
  ],
});

export { failureQueue } from "./queues.ts";

/** `start-backup` → `StartBackup`, for logical names. */
export function pascalCase(kebab: string): string {
  return kebab
    .split("-")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
}
