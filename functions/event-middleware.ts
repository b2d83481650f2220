import { EventBridgeSchema } from "@aws-lambda-powertools/parser/schemas/eventbridge";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import middy, { type MiddlewareObj } from "@middy/core";
import type { Context } from "aws-lambda";
import * as z from "zod";
import { ConfigurationError, ValidationError } from "../lib/core/errors.ts";
import type { Metrics } from "../lib/notify/metrics.ts";
import type { DigestPeriod, DigestRow } from "../lib/notify/slack/digest.ts";
import { digestRowsFromStore } from "../lib/notify/slack/digest-source.ts";
import { SlackNotifier } from "../lib/notify/slack/notifier.ts";
import { SlackSender } from "../lib/notify/slack/sender.ts";
import type { SecretSource } from "../lib/providers/secrets.ts";
import { errorFields, log } from "./log.ts";
import { container } from "./wiring.ts";

/** An EventBridge event whose detail passed its schema. */
export type ReceivedEvent<D> = Omit<z.infer<typeof EventBridgeSchema>, "detail"> & { detail: D };

/**
 * An EventBridge target entry point (a rule on our bus, or a schedule): the envelope is
 * checked with Powertools' EventBridge schema and the detail with `schema`. A malformed
 * event is logged and rejected with a ValidationError, so it lands in the target's
 * dead-letter queue instead of being half-processed.
 *
 * @example export const handler = withEvent(AnyEventDetail, (event) => notify(event));
 */
export function withEvent<S extends z.ZodType, R>(
  schema: S,
  body: (event: ReceivedEvent<z.infer<S>>) => Promise<R>,
) {
  const envelope = EventBridgeSchema.extend({ detail: schema });
  return middy<unknown, R>()
    .use(logErrors())
    .handler(async (event: unknown) => {
      const parsed = envelope.safeParse(event);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ValidationError("invalid EventBridge event", [
          { path: issue?.path.join(".") ?? "", message: issue?.message ?? "" },
        ]);
      }
      return body(parsed.data as ReceivedEvent<z.infer<S>>);
    });
}

function logErrors(): MiddlewareObj {
  return {
    onError: (request) => {
      const event = request.event as { "detail-type"?: unknown } | undefined;
      log("error", "event handler failed", {
        requestId: (request.context as Context | undefined)?.awsRequestId,
        detailType: typeof event?.["detail-type"] === "string" ? event["detail-type"] : undefined,
        ...errorFields(request.error),
      });
    },
  };
}

/** What the Slack entry points use. */
export interface NotifyWiring {
  notifier: SlackNotifier;
  /** The digest's rows for a period (created / failed / deleted / missed per target). */
  digestRows(period: DigestPeriod): Promise<DigestRow[]>;
}

const NotifyEnvironment = z.object({
  /** Secret name of the default Slack webhook (`{"url": "https://hooks.slack.com/…"}`). */
  WARDEN_SLACK_WEBHOOK_SECRET: z.string().min(1).optional(),
  WARDEN_SECRET_PREFIX: z.string().default(""),
  WARDEN_METRICS_NAMESPACE: z.string().default("BackupWarden"),
});

let installed: NotifyWiring | undefined;

/** Replaces the notify wiring (the local runtime and tests install theirs). */
export function installNotifier(wiring: NotifyWiring): void {
  installed = wiring;
}

/**
 * The process's notify wiring. Until the composition root provides one, it is built from
 * the environment: webhooks from Secrets Manager, every notification to the default
 * webhook (no per-policy routing), counters as CloudWatch Embedded Metric Format lines,
 * digest rows from the backup table.
 */
export function notifierFromContainer(): NotifyWiring {
  if (!installed) {
    const env = NotifyEnvironment.parse(process.env);
    const notifier = new SlackNotifier({
      sender: new SlackSender(),
      secrets: new SecretsManagerWebhooks(env.WARDEN_SECRET_PREFIX),
      defaultWebhookRef: env.WARDEN_SLACK_WEBHOOK_SECRET,
      metrics: emfMetrics(env.WARDEN_METRICS_NAMESPACE),
      log,
    });
    installed = {
      notifier,
      digestRows: (period) => digestRowsFromStore(container().backups, period),
    };
  }
  return installed;
}

/** Webhook secrets, cached for the container's life (a cold start picks up a rotation). */
class SecretsManagerWebhooks implements SecretSource {
  readonly #client = new SecretsManagerClient({});
  readonly #cache = new Map<string, Promise<unknown>>();
  readonly #prefix: string;

  constructor(prefix: string) {
    this.#prefix = prefix;
  }

  get(ref: string): Promise<unknown> {
    let value = this.#cache.get(ref);
    if (value === undefined) {
      value = this.#client
        .send(new GetSecretValueCommand({ SecretId: this.#prefix + ref }))
        .then((out) => {
          try {
            return JSON.parse(out.SecretString ?? "");
          } catch {
            throw new ConfigurationError(`secret ${ref} is not JSON`);
          }
        });
      value.catch(() => this.#cache.delete(ref));
      this.#cache.set(ref, value);
    }
    return value;
  }
}

/** Counters as Embedded Metric Format log lines: CloudWatch turns them into metrics. */
function emfMetrics(namespace: string): Metrics {
  return {
    count(name, dimensions = {}, value = 1) {
      const emf = {
        _aws: {
          Timestamp: Date.now(),
          CloudWatchMetrics: [
            {
              Namespace: namespace,
              Dimensions: [Object.keys(dimensions)],
              Metrics: [{ Name: name, Unit: "Count" }],
            },
          ],
        },
        ...dimensions,
        [name]: value,
      };
      console.log(JSON.stringify(emf));
    },
  };
}
