import { BatchingQueue, type SqsQueue } from '@webhook-dlq/sqs';
import type { DlqSender } from './ingest';

/**
 * The DLQ with concurrent sends coalesced into `SendMessageBatch` calls of up to 10,
 * the first waiting `lingerMs` for company. Each send still resolves only once its own
 * entry is stored and rejects when its own entry failed, so the ack rule holds per request.
 */
export function coalescingDlq(
  queue: SqsQueue,
  lingerMs: number,
): DlqSender & { flush(): Promise<void> } {
  const batching = new BatchingQueue(queue, { lingerMs });
  return {
    send: (message) => batching.send(message),
    maxMessageBytes: queue.maxMessageBytes,
    flush: () => batching.flush(),
  };
}
