import {
  createEnvelope,
  type DlqEnvelope,
  encodeEnvelope,
  normalizeEvent,
  withAttempt,
} from '@webhook-dlq/payloads';
import type { ReceivedMessage, SqsQueue } from '@webhook-dlq/sqs';
import { LOCAL_CREDENTIALS, receiveAll, testSqsEndpoint } from '../../../../tools/testing/sqs-kit';
import { sampleBytes, sampleJson } from '../../../../test-fixtures/genesys/samples';

/**
 * The published EventBridge sample as event number `n`: its own id (so its own identity)
 * and the topic of a conversation's start or end.
 */
export function sampleEvent(n: number, kind: 'start' | 'end' = 'end'): Buffer {
  const sample = sampleJson(kind === 'end' ? 'eventBridgeEnd' : 'eventBridgeStart');
  return Buffer.from(JSON.stringify({ ...sample, id: `event-${kind}-${n}` }));
}

/** An envelope as the worker parks it: `attempts` failed tries, the last one answered 503. */
export function parkedEnvelope(
  body: Buffer,
  options: { attempts?: number; status?: number; notBefore?: string } = {},
): DlqEnvelope {
  const event = normalizeEvent({ body, contentType: 'application/json' });
  let envelope = createEnvelope(event, new Date(Date.now() - 3_600_000));
  for (let attempt = 1; attempt <= (options.attempts ?? 3); attempt += 1) {
    const status = options.status ?? 503;
    envelope = withAttempt(envelope, {
      attempt,
      at: new Date().toISOString(),
      outcome: status >= 500 ? 'retryable' : 'permanent',
      statusCode: status,
      error: `downstream answered ${status}`,
      durationMs: 12,
      by: attempt === 1 ? 'receiver' : 'dlq-worker',
    });
  }
  return options.notBefore ? { ...envelope, notBefore: options.notBefore } : envelope;
}

/** Sends an envelope to the parking queue with the attributes the worker gives it. */
export async function park(queue: SqsQueue, envelope: DlqEnvelope, reason: string): Promise<void> {
  await queue.send({
    body: encodeEnvelope(envelope),
    eventId: envelope.eventId,
    topic: envelope.topic,
    attempt: envelope.attempts.length,
    attributes: { park_reason: reason },
  });
}

/** A message the worker could not read, parked as it was with its error. */
export async function parkUnreadable(queue: SqsQueue, body: string): Promise<void> {
  await queue.send({
    body,
    attributes: { park_reason: 'unreadable', park_error: 'The message is not JSON.' },
  });
}

/** Every message on both queues, held for a minute so that each is counted once. */
export async function everything(dlq: SqsQueue, parked: SqsQueue) {
  const [onDlq, onParked] = await Promise.all([receiveAll(dlq), receiveAll(parked)]);
  return { dlq: onDlq, parked: onParked };
}

export function eventIds(messages: ReceivedMessage[]): string[] {
  return messages.map((message) => message.attributes.event_id ?? message.body).sort();
}

/** CLI environment for two fresh queues on the local SQS server. */
export function queueEnv(names: { dlqName: string; parkedName: string }) {
  return {
    SQS_ENDPOINT: testSqsEndpoint(),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    DLQ_QUEUE_NAME: names.dlqName,
    PARKING_QUEUE_NAME: names.parkedName,
    LOG_LEVEL: 'info',
  };
}

/** The AWS SDK reads credentials from the process environment: local ones for the tests. */
export function useLocalAwsCredentials(): void {
  beforeAll(() => {
    process.env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
  });
  afterAll(() => {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
  });
}

export { sampleBytes };
