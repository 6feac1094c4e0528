import type { ReceivedMessage, SqsQueue } from '@webhook-dlq/sqs';

export interface WalkOptions {
  /**
   * How long each received message stays hidden while the walk holds it. Held messages are
   * released when the walk ends; after a crash they come back on their own after this.
   */
  visibilitySeconds: number;
  /** Long-poll wait of each receive; the walk ends at the first receive that gets nothing. */
  waitTimeSeconds: number;
  /**
   * Stops receiving more, checked between receives. A receive is never cut short: messages
   * SQS hands out in it would be hidden without anyone holding them.
   */
  signal?: AbortSignal;
}

/**
 * Reads a queue from end to end by receiving. SQS has no read-only look, so every message
 * is received (its receive count goes up) and held invisible until the walk ends; that is
 * what keeps the walk from meeting the same message twice. A consumer settles the messages
 * it deletes; {@link release} makes every other one visible again at once.
 */
export class QueueWalk {
  private readonly held = new Map<string, ReceivedMessage>();
  private readonly seen = new Set<string>();
  private released = false;

  constructor(
    private readonly queue: SqsQueue,
    private readonly options: WalkOptions,
  ) {
    // Held messages must stay hidden across a few receives, or they keep coming round and
    // the walk never meets an empty receive.
    if (options.visibilitySeconds < options.waitTimeSeconds + 2) {
      throw new Error('A queue walk needs a visibility timeout at least 2 s above its wait.');
    }
  }

  /** Batches of messages not met before in this walk, until the queue has none to give. */
  async *batches(): AsyncGenerator<ReceivedMessage[]> {
    while (!this.options.signal?.aborted) {
      const received = await this.queue.receive({
        maxMessages: 10,
        waitTimeSeconds: this.options.waitTimeSeconds,
        visibilityTimeoutSeconds: this.options.visibilitySeconds,
      });
      if (received.length === 0) return;

      const fresh: ReceivedMessage[] = [];
      for (const message of received) {
        // A message held longer than its visibility comes round again: keep the newest
        // receipt handle (the old one no longer works) and do not hand it out twice.
        if (this.seen.has(message.messageId)) {
          if (this.held.has(message.messageId)) this.held.set(message.messageId, message);
          continue;
        }
        this.seen.add(message.messageId);
        this.held.set(message.messageId, message);
        fresh.push(message);
      }
      if (fresh.length > 0) yield fresh;
    }
  }

  /** The consumer deleted this message: it is no longer held. */
  settle(message: ReceivedMessage): void {
    this.held.delete(message.messageId);
  }

  /** Current receipt handle of a held message (it changes when the message comes round). */
  receiptHandleOf(message: ReceivedMessage): string {
    return this.held.get(message.messageId)?.receiptHandle ?? message.receiptHandle;
  }

  get heldCount(): number {
    return this.held.size;
  }

  /**
   * Makes every held message visible again. Resolves with how many could not be released;
   * those come back by themselves once their visibility timeout ends.
   */
  async release(): Promise<number> {
    if (this.released) return 0;
    this.released = true;
    const handles = [...this.held.values()].map((message) => message.receiptHandle);
    this.held.clear();

    let failed = 0;
    // A few at a time: enough to be quick, few enough not to trip SQS throttling.
    for (let i = 0; i < handles.length; i += 10) {
      const results = await Promise.allSettled(
        handles.slice(i, i + 10).map((handle) => this.queue.changeVisibility(handle, 0)),
      );
      failed += results.filter((result) => result.status === 'rejected').length;
    }
    return failed;
  }
}
