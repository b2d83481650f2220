import { randomUUID } from "node:crypto";

/** One message as the local queue holds it. */
export interface LocalMessage {
  messageId: string;
  body: string;
  /** Deliveries so far, this one included (SQS's ApproximateReceiveCount). */
  receiveCount: number;
  sentAt: number;
}

/** Options of {@link LocalQueue}: the queue's and its event source mapping's settings. */
export interface LocalQueueOptions {
  /**
   * Hands a batch to the consumer, as Lambda's event source mapping does; resolves with
   * the ids of the messages that failed (ReportBatchItemFailures). A rejection fails the
   * whole batch.
   */
  deliver(batch: readonly LocalMessage[]): Promise<string[]>;
  /** Messages per delivery (the mapping's batch size; SQS allows up to 10). */
  batchSize?: number;
  /** Deliveries under way at once (the mapping's maximum concurrency). */
  maxConcurrency?: number;
  /** How long a failed message stays invisible before it is delivered again. */
  visibilityTimeoutMs?: number;
  /** Deliveries before a message goes to the dead-letter queue (the redrive policy). */
  maxReceiveCount?: number;
  /** Told about a message moved to the dead-letter queue. */
  onDeadLetter?: (message: LocalMessage) => void;
}

/**
 * The local stand-in for an SQS queue with a Lambda subscriber: at-least-once delivery in
 * batches, at most `maxConcurrency` batches at once, a failed message delivered again
 * after its visibility timeout, and moved to the dead-letter list after
 * `maxReceiveCount` deliveries — the semantics the launch function is written for. Written
 * by hand: no maintained SQS emulator runs in-process, and only these few behaviours are
 * needed (the gateway speaks SQS's SendMessageBatch in front of it).
 */
export class LocalQueue {
  readonly #o: Required<Omit<LocalQueueOptions, "onDeadLetter">> &
    Pick<LocalQueueOptions, "onDeadLetter">;
  readonly #ready: LocalMessage[] = [];
  readonly #waiting = new Set<NodeJS.Timeout>();
  readonly #idle: Array<() => void> = [];
  #inFlight = 0;
  #stopped = false;
  /** Messages that failed `maxReceiveCount` times. */
  readonly deadLetters: LocalMessage[] = [];
  /** Counters, for tests and benches. */
  readonly stats = { sent: 0, deliveries: 0, redeliveries: 0 };

  constructor(options: LocalQueueOptions) {
    this.#o = {
      batchSize: 10,
      maxConcurrency: 5,
      visibilityTimeoutMs: 30_000,
      maxReceiveCount: 5,
      ...options,
    };
  }

  /** Accepts messages (SendMessage / SendMessageBatch); returns their ids. */
  send(bodies: readonly string[]): string[] {
    if (this.#stopped) throw new Error("the local queue is stopped");
    const messages = bodies.map((body) => ({
      messageId: randomUUID(),
      body,
      receiveCount: 0,
      sentAt: Date.now(),
    }));
    this.#ready.push(...messages);
    this.stats.sent += messages.length;
    queueMicrotask(() => this.#pump());
    return messages.map((m) => m.messageId);
  }

  /** Resolves once nothing is queued, under way or waiting to be delivered again. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Delivers nothing more; messages not yet delivered are dropped (a killed process). */
  stop(): void {
    this.#stopped = true;
    for (const timer of this.#waiting) clearTimeout(timer);
    this.#waiting.clear();
    this.#ready.length = 0;
    this.#settle();
  }

  #isIdle(): boolean {
    return this.#ready.length === 0 && this.#inFlight === 0 && this.#waiting.size === 0;
  }

  #settle(): void {
    if (!this.#isIdle()) return;
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  #pump(): void {
    while (!this.#stopped && this.#inFlight < this.#o.maxConcurrency && this.#ready.length > 0) {
      const batch = this.#ready.splice(0, this.#o.batchSize);
      for (const message of batch) message.receiveCount++;
      this.#inFlight++;
      this.stats.deliveries++;
      this.#o
        .deliver(batch.map((m) => ({ ...m })))
        .catch(() => batch.map((m) => m.messageId))
        .then((failedIds) => {
          const failed = new Set(failedIds);
          for (const message of batch) if (failed.has(message.messageId)) this.#retry(message);
        })
        .finally(() => {
          this.#inFlight--;
          this.#pump();
          this.#settle();
        });
    }
    this.#settle();
  }

  #retry(message: LocalMessage): void {
    if (this.#stopped) return;
    if (message.receiveCount >= this.#o.maxReceiveCount) {
      this.deadLetters.push(message);
      this.#o.onDeadLetter?.(message);
      return;
    }
    this.stats.redeliveries++;
    const timer = setTimeout(() => {
      this.#waiting.delete(timer);
      this.#ready.push(message);
      this.#pump();
    }, this.#o.visibilityTimeoutMs);
    this.#waiting.add(timer);
  }
}
