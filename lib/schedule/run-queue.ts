import type { SQSClient } from "@aws-sdk/client-sqs";
import pMap from "p-map";
import * as z from "zod";

/**
 * One claimed schedule run on its way to the launch function: the run's key and the
 * backup id its claim reserved (lib/store/runs.ts). Nothing else travels: the launcher
 * reads the policy, the target and the run itself, so a message delivered twice, late or
 * out of order acts on what the table says now.
 */
export const LaunchMessage = z.strictObject({
  policyId: z.string().min(1).max(200),
  targetId: z.string().min(1).max(200),
  scheduledAt: z.iso.datetime(),
  backupId: z.string().min(1).max(200),
});
export type LaunchMessage = z.infer<typeof LaunchMessage>;

/** Where the dispatcher hands claimed runs over: the launch queue (SQS on AWS). */
export interface RunQueue {
  /**
   * Sends every message, or throws: a message the queue did not take is never dropped
   * silently (the run stays CLAIMED and a later tick re-drives it).
   */
  send(messages: readonly LaunchMessage[]): Promise<void>;
}

/** SendMessageBatch takes at most ten entries. */
export const SQS_BATCH = 10;

/**
 * The launch queue as deployed (stacks/queues.ts, stacks/schedules.ts) and as the local
 * runtime runs it. `maximumConcurrency` caps the launchers at once (the event source
 * mapping's scaling config): each launch is a few table writes and one StartExecution, so
 * twenty launchers start a few hundred workflows a second — beyond what any vendor budget
 * lets the workflows' first vendor calls through, and far inside Step Functions' own
 * StartExecution quota. The vendor requests themselves are held to the fleet-wide budget.
 */
export const LAUNCH_QUEUE = {
  batchSize: 10,
  maximumConcurrency: 20,
  /** The consumer's timeout, and six times it for the queue (AWS's advice). */
  consumerTimeoutSeconds: 30,
  visibilityTimeoutSeconds: 180,
  /** Deliveries before a message goes to the dead-letter queue. */
  maxReceiveCount: 5,
} as const;

/** Options of {@link SqsRunQueue}. */
export interface SqsRunQueueOptions {
  /** The SQS client, built on first use (the SDK is loaded only then). */
  client: () => Promise<Pick<SQSClient, "send">>;
  /** The launch queue's URL (`WARDEN_LAUNCH_QUEUE_URL`). */
  queueUrl: () => string;
  /** Batches in flight at once. */
  concurrency?: number;
}

/**
 * The launch queue on SQS: messages go ten to a SendMessageBatch call, several calls at
 * once; the entries a call reports failed are sent again once, and any still refused
 * fail the whole send with the count (never an id or a body).
 */
export class SqsRunQueue implements RunQueue {
  readonly #options: SqsRunQueueOptions;

  constructor(options: SqsRunQueueOptions) {
    this.#options = options;
  }

  async send(messages: readonly LaunchMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const [client, { SendMessageBatchCommand }] = await Promise.all([
      this.#options.client(),
      import("@aws-sdk/client-sqs"),
    ]);
    const queueUrl = this.#options.queueUrl();
    const batches: LaunchMessage[][] = [];
    for (let i = 0; i < messages.length; i += SQS_BATCH)
      batches.push(messages.slice(i, i + SQS_BATCH));
    const sendBatch = async (batch: readonly LaunchMessage[]) => {
      const result = await client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((message, index) => ({
            Id: String(index),
            MessageBody: JSON.stringify(message),
          })),
        }),
      );
      return (result.Failed ?? []).map((f) => batch[Number(f.Id)]!).filter(Boolean);
    };
    const refused = await pMap(
      batches,
      async (batch) => {
        const failed = await sendBatch(batch);
        return failed.length > 0 ? sendBatch(failed) : [];
      },
      { concurrency: this.#options.concurrency ?? 8 },
    );
    const lost = refused.flat().length;
    if (lost > 0)
      throw new Error(`the launch queue refused ${lost} of ${messages.length} messages`);
  }
}
