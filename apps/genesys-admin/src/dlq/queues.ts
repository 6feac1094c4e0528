import { createSqsClient, SqsQueue } from '@webhook-dlq/sqs';
import type { QueueConfig } from '../config';
import type { FilterFlags } from './filters';

/**
 * How long a walk holds the messages it has received. Released at the end of a command;
 * after a crash they come back by themselves once this has passed.
 */
export const HOLD_SECONDS = 120;

/** Long-poll wait of a walk's receives: the walk ends at the first empty one. */
export const WAIT_SECONDS = 1;

export interface MoveFlags extends FilterFlags {
  dryRun?: boolean;
  rate?: number;
  actor?: string;
  yes?: boolean;
  json?: boolean;
}

export async function openQueues(config: QueueConfig) {
  const client = createSqsClient({ region: config.AWS_REGION, endpoint: config.SQS_ENDPOINT });
  const [dlq, parked] = await Promise.all([
    SqsQueue.resolve(client, config.DLQ_QUEUE_NAME),
    SqsQueue.resolve(client, config.PARKING_QUEUE_NAME),
  ]);
  return { dlq, parked };
}
