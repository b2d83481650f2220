import middy, { type MiddlewareObj } from "@middy/core";
import type { Context } from "aws-lambda";
import type * as z from "zod";
import { ConfigurationError, ValidationError } from "../lib/core/errors.ts";
import type { DigestPeriod, DigestRow } from "../lib/notify/slack/digest.ts";
import type { SlackNotifier } from "../lib/notify/slack/notifier.ts";
import { EventBridgeEnvelope } from "./envelopes.ts";
import { errorFields, log } from "./log.ts";
import { container } from "./wiring.ts";

/** An EventBridge event whose detail passed its schema. */
export type ReceivedEvent<D> = Omit<z.infer<typeof EventBridgeEnvelope>, "detail"> & { detail: D };

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
  const envelope = EventBridgeEnvelope.extend({ detail: schema });
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
  // The composition root builds and installs the notifier (with per-policy routing).
  if (!installed) container();
  if (!installed) throw new ConfigurationError("the composition root installed no notifier");
  return installed;
}
