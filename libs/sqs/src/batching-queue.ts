import { Batcher, type EntryResult } from './batcher';
import { SqsError } from './errors';
import { type BatchFailure, type OutgoingMessage, SqsQueue } from './queue';

/** One entry of a batch call failed. `code` is SQS's, e.g. `ReceiptHandleIsInvalid`. */
export class BatchEntryError extends SqsError {
  override readonly name: string = 'BatchEntryError';

  constructor(
    queueName: string,
    verb: string,
    readonly code: string,
    readonly senderFault: boolean,
    detail: string,
  ) {
    super(`Could not ${verb} queue ${queueName}: ${detail}`, queueName);
  }
}

/**
 * A delete or visibility change was refused because the receipt handle is no longer valid:
 * the message was received again elsewhere after its visibility timeout, so it may be
 * handled twice. Not a loss.
 */
export class ReceiptExpiredError extends BatchEntryError {
  override readonly name = 'ReceiptExpiredError';
}

export interface BatchingQueueOptions {
  /** How long the first request waits for others to share its call. Default 5 ms. */
  lingerMs?: number;
  /** Calls one entry may take part in before its failure is final. Default 3. */
  maxEntryAttempts?: number;
}

/**
 * Sends, deletes and visibility changes for one queue, each a single request for its caller
 * and coalesced into batch calls of up to 10 underneath. Every caller learns its own entry's
 * outcome; entries SQS failed on its side are retried in the next call.
 */
export class BatchingQueue {
  private readonly sends: Batcher<OutgoingMessage, void>;
  private readonly deletes: Batcher<string, void>;
  private readonly visibility: Batcher<{ receiptHandle: string; seconds: number }, void>;

  constructor(
    readonly queue: SqsQueue,
    options: BatchingQueueOptions = {},
  ) {
    const common = { lingerMs: options.lingerMs, maxEntryAttempts: options.maxEntryAttempts };
    this.sends = new Batcher(
      async (messages) => this.settle(messages, 'send to', await queue.sendBatch(messages)),
      {
        ...common,
        // SQS also caps the whole batch at the queue's message size limit.
        maxBytes: queue.maxMessageBytes,
        sizeOf: (message) => SqsQueue.sizeOf(message),
      },
    );
    this.deletes = new Batcher(
      async (handles) => this.settle(handles, 'delete from', await queue.deleteBatch(handles)),
      common,
    );
    this.visibility = new Batcher(
      async (entries) =>
        this.settle(entries, 'change visibility in', await queue.changeVisibilityBatch(entries)),
      common,
    );
  }

  get name(): string {
    return this.queue.name;
  }

  /** Resolves once SQS has stored the message. Too large → rejects before any call. */
  send(message: OutgoingMessage): Promise<void> {
    this.queue.assertFits(message);
    return this.sends.add(message);
  }

  delete(receiptHandle: string): Promise<void> {
    return this.deletes.add(receiptHandle);
  }

  changeVisibility(receiptHandle: string, seconds: number): Promise<void> {
    return this.visibility.add({ receiptHandle, seconds });
  }

  /** Makes every waiting call now and resolves when they have ended. */
  async flush(): Promise<void> {
    await Promise.all([this.sends.flush(), this.deletes.flush(), this.visibility.flush()]);
  }

  private settle<T>(items: T[], verb: string, failures: BatchFailure[]): Array<EntryResult<void>> {
    const results: Array<EntryResult<void>> = items.map(() => ({ ok: true, value: undefined }));
    for (const failure of failures) {
      const expired = isExpiredReceipt(failure);
      const ErrorClass = expired ? ReceiptExpiredError : BatchEntryError;
      results[failure.index] = {
        ok: false,
        retry: !failure.senderFault && !expired,
        error: new ErrorClass(
          this.queue.name,
          verb,
          failure.code,
          failure.senderFault,
          failure.error,
        ),
      };
    }
    return results;
  }
}

function isExpiredReceipt(failure: BatchFailure): boolean {
  return (
    failure.code === 'ReceiptHandleIsInvalid' ||
    (failure.code === 'InvalidParameterValue' && /receipt handle/i.test(failure.error))
  );
}
