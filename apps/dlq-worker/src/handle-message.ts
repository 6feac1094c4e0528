import { attemptDelivery, type DeliveryResult, toAttemptRecord } from '@webhook-dlq/delivery';
import {
  decodeEnvelope,
  type DlqEnvelope,
  encodeEnvelope,
  EnvelopeError,
  envelopeBody,
  lastAttempt,
  nextAttemptNumber,
  withAttempt,
} from '@webhook-dlq/payloads';
import type { OutgoingMessage, ReceivedMessage } from '@webhook-dlq/sqs';
import { decide, type Decision, type ParkReason, type RetryPolicy } from './decide';

/** The queue calls the handler makes. {@link SqsQueue} provides them. */
export interface QueueOps {
  send(message: OutgoingMessage): Promise<string>;
  delete(receiptHandle: string): Promise<void>;
}

export interface HandlerDeps {
  dlq: QueueOps;
  parked: Pick<QueueOps, 'send'>;
  downstreamUrl: string;
  downstreamTimeoutMs: number;
  policy: RetryPolicy;
}

/** What handling one message came to, for its log line. */
export interface HandledMessage {
  outcome: 'delivered' | 'retry_scheduled' | 'parked';
  eventId?: string;
  topic?: string;
  attempt?: number;
  parkReason?: ParkReason;
  delaySeconds?: number;
  delivery?: DeliveryResult;
}

/**
 * Handles one DLQ message to the end: decode, maybe deliver, then settle it as the decision
 * says. Settling always sends first and deletes after, so a crash in between leaves a
 * duplicate (same Idempotency-Key), never a loss. A queue error is thrown and the message
 * is left on the DLQ to come back after its visibility timeout.
 */
export async function handleMessage(
  message: ReceivedMessage,
  deps: HandlerDeps,
): Promise<HandledMessage> {
  let envelope: DlqEnvelope;
  try {
    envelope = decodeEnvelope(message.body);
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
    await parkUnreadable(message, error, deps);
    return { outcome: 'parked', parkReason: 'unreadable' };
  }

  let decision = decide(envelope, 'received', deps.policy);
  let delivery: DeliveryResult | undefined;
  if (decision.action === 'deliver') {
    const attempt = nextAttemptNumber(envelope);
    delivery = await attemptDelivery({
      url: deps.downstreamUrl,
      body: envelopeBody(envelope),
      contentType: envelope.contentType,
      eventId: envelope.eventId,
      topic: envelope.topic,
      attempt,
      timeoutMs: deps.downstreamTimeoutMs,
    });
    envelope = withAttempt(envelope, toAttemptRecord(delivery, attempt, 'dlq-worker'));
    decision = decide(envelope, 'attempted', deps.policy);
  }

  const settled = await settle(message, envelope, decision, deps);
  return {
    ...settled,
    eventId: envelope.eventId,
    topic: envelope.topic,
    attempt: lastAttempt(envelope)?.attempt,
    delivery,
  };
}

async function settle(
  message: ReceivedMessage,
  envelope: DlqEnvelope,
  decision: Decision,
  deps: HandlerDeps,
): Promise<Pick<HandledMessage, 'outcome' | 'parkReason' | 'delaySeconds'>> {
  const identity = {
    body: encodeEnvelope(envelope),
    eventId: envelope.eventId,
    topic: envelope.topic,
    attempt: lastAttempt(envelope)?.attempt,
  };

  switch (decision.action) {
    case 'delete':
      await deps.dlq.delete(message.receiptHandle);
      return { outcome: 'delivered' };
    case 'retry':
      // A queued message cannot be edited: the history travels on a new copy.
      await deps.dlq.send({ ...identity, delaySeconds: decision.delaySeconds });
      await deps.dlq.delete(message.receiptHandle);
      return { outcome: 'retry_scheduled', delaySeconds: decision.delaySeconds };
    case 'park':
      await deps.parked.send({ ...identity, attributes: { park_reason: decision.reason } });
      await deps.dlq.delete(message.receiptHandle);
      return { outcome: 'parked', parkReason: decision.reason };
    case 'deliver':
      // decide() answers `deliver` only before a try, and handleMessage always tries then.
      throw new Error('a delivered message cannot be settled as deliver');
  }
}

async function parkUnreadable(
  message: ReceivedMessage,
  error: EnvelopeError,
  deps: HandlerDeps,
): Promise<void> {
  await deps.parked.send({
    body: message.body,
    eventId: message.attributes.event_id,
    topic: message.attributes.topic,
    attributes: {
      park_reason: 'unreadable',
      park_error: error.message.slice(0, 256),
      original_message_id: message.messageId,
    },
  });
  await deps.dlq.delete(message.receiptHandle);
}
