export { Batcher, type BatcherOptions, type EntryResult } from './batcher';
export {
  BatchEntryError,
  BatchingQueue,
  type BatchingQueueOptions,
  ReceiptExpiredError,
} from './batching-queue';
export { createSqsClient, type SqsClientOptions } from './client';
export { MessageTooLargeError, QueueNotFoundError, SqsError } from './errors';
export { type Logger, silentLogger } from './logger';
export {
  type BatchFailure,
  MAX_DELAY_SECONDS,
  MAX_RETENTION_SECONDS,
  type OutgoingMessage,
  type QueueDepth,
  type ReceivedMessage,
  type ReceiveOptions,
  type ResolveQueueOptions,
  SqsQueue,
} from './queue';
