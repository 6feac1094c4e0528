import {
  type AttemptRecord,
  createEnvelope,
  type DlqEnvelope,
  encodeEnvelope,
  normalizeEvent,
  type NormalizedEvent,
  withAttempt,
} from '@webhook-dlq/payloads';
import type { SqsQueue } from '@webhook-dlq/sqs';

/** Puts an event on the DLQ exactly as the receiver does after its own failed try. */
export async function enqueueAsReceiver(
  dlq: SqsQueue,
  body: Buffer,
  receiverAttempt: Partial<AttemptRecord> = {},
  extra: { routeTopic?: string; envelope?: Partial<DlqEnvelope> } = {},
): Promise<NormalizedEvent> {
  const event = normalizeEvent({
    body,
    contentType: 'application/json',
    routeTopic: extra.routeTopic,
  });
  const envelope = withAttempt(createEnvelope(event, new Date()), {
    attempt: 1,
    at: new Date().toISOString(),
    outcome: 'retryable',
    statusCode: 503,
    durationMs: 3,
    by: 'receiver',
    ...receiverAttempt,
  });
  await dlq.send({
    body: encodeEnvelope({ ...envelope, ...extra.envelope }),
    eventId: event.eventId,
    topic: event.topic,
    attempt: 1,
  });
  return event;
}

/** A variant of an EventBridge sample body with an identity of its own. */
export function variant(body: Buffer, n: number | string): Buffer {
  const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  return Buffer.from(JSON.stringify({ ...parsed, id: `${String(parsed['id'])}-${n}` }));
}
