import { randomUUID } from 'node:crypto';
import { createSqsClient, type ReceivedMessage, SqsQueue } from '@webhook-dlq/sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';

/** Credentials the local server accepts; they open nothing anywhere else. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export function testSqsEndpoint(): string {
  const endpoint = process.env.TEST_SQS_ENDPOINT;
  if (!endpoint)
    throw new Error('TEST_SQS_ENDPOINT is not set: run through the Jest global setup.');
  return endpoint;
}

export function testSqsClient(endpoint = testSqsEndpoint()): SQSClient {
  return createSqsClient({ region: 'us-east-1', endpoint, credentials: LOCAL_CREDENTIALS });
}

/** A DLQ and a parking queue with names no other test uses. */
export async function freshQueues(client: SQSClient, attributes: Record<string, string> = {}) {
  const suffix = randomUUID().slice(0, 8);
  const dlqName = `test-dlq-${suffix}`;
  const parkedName = `test-parked-${suffix}`;
  const parked = await SqsQueue.resolve(client, parkedName, { create: true });
  const dlq = await SqsQueue.resolve(client, dlqName, { create: true, attributes });
  return { dlq, parked, dlqName, parkedName };
}

/** Receives every message now visible, holding each invisible for a minute. */
export async function receiveAll(queue: SqsQueue): Promise<ReceivedMessage[]> {
  const all: ReceivedMessage[] = [];
  for (;;) {
    const batch = await queue.receive({ waitTimeSeconds: 0, visibilityTimeoutSeconds: 60 });
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

/** Polls until `predicate` holds or `timeoutMs` passes; resolves with the last value. */
export async function eventually<T>(
  read: () => Promise<T> | T,
  predicate: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (predicate(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
