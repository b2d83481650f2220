import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SFNClient } from "@aws-sdk/client-sfn";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { RecordableClient as SdkClient } from "../local/aws/recorder.ts";
import { once } from "./deferred.ts";

/** The AWS services our functions call, by their IAM prefix. */
export type AwsService = "dynamodb" | "events" | "lambda" | "secretsmanager" | "sqs" | "states";

/** How a function's SDK clients are configured. */
export interface AwsSettings {
  region: string;
  /**
   * The local runtime only: every service is this loopback endpoint (local/aws/), and
   * each function signs as itself, so the endpoint can authorize it by its declaration.
   */
  endpoint?: string;
  /** The identity a function signs as locally (its name). */
  identity?: string;
  /** Told about every client built (the test suite's call recorder adds middleware here). */
  onClient?: (client: SdkClient, service: AwsService) => void;
}

/** The SDK configuration for one function's clients. */
export function clientConfig(settings: AwsSettings) {
  return {
    region: settings.region,
    ...(settings.endpoint
      ? {
          endpoint: settings.endpoint,
          credentials: { accessKeyId: settings.identity ?? "local", secretAccessKey: "local" },
        }
      : {}),
  };
}

/**
 * The SDK clients of one function, each imported and built on first use (a function that
 * never starts a workflow never loads the Step Functions client).
 */
export function awsClients(settings: AwsSettings) {
  const config = clientConfig(settings);
  const made = <C extends SdkClient>(client: C, service: AwsService): C => {
    settings.onClient?.(client, service);
    return client;
  };
  /** A client of one service, built on its first use from a lazily imported class. */
  const lazyClient = <C extends SdkClient>(
    service: AwsService,
    load: () => Promise<new (config: ReturnType<typeof clientConfig>) => C>,
  ) => once(async () => made(new (await load())(config), service));
  return {
    sfn: lazyClient<SFNClient>("states", () =>
      import("@aws-sdk/client-sfn").then((m) => m.SFNClient),
    ),
    eventBridge: lazyClient<EventBridgeClient>("events", () =>
      import("@aws-sdk/client-eventbridge").then((m) => m.EventBridgeClient),
    ),
    secretsManager: lazyClient<SecretsManagerClient>("secretsmanager", () =>
      import("@aws-sdk/client-secrets-manager").then((m) => m.SecretsManagerClient),
    ),
    lambda: lazyClient<LambdaClient>("lambda", () =>
      import("@aws-sdk/client-lambda").then((m) => m.LambdaClient),
    ),
    sqs: lazyClient<SQSClient>("sqs", () => import("@aws-sdk/client-sqs").then((m) => m.SQSClient)),
  };
}
export type AwsClients = ReturnType<typeof awsClients>;
